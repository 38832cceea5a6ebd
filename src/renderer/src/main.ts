import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createLabRouter } from './router';
import { createLabI18n } from './i18n';
import { resolveLocale } from './lib/preferences';
import './styles.css';

// The OS/browser locale until the saved setting is loaded (App.vue follows the setting from then on).
const i18n = createLabI18n(resolveLocale('auto', navigator.languages ?? [navigator.language]));

createApp(App).use(createPinia()).use(createLabRouter()).use(i18n).mount('#app');
