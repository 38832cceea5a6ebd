import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';

/** Hash history: works under file:// in Electron and behind `lab serve` without server-side routes. */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
  { path: '/dataset/:id?', name: 'dataset', component: () => import('./views/DatasetView.vue') },
  { path: '/capture', name: 'capture', component: () => import('./views/CaptureView.vue') },
  { path: '/augment', name: 'augment', component: () => import('./views/AugmentView.vue') },
  { path: '/train', name: 'train', component: () => import('./views/TrainView.vue') },
  { path: '/runs', name: 'runs', component: () => import('./views/RunsView.vue') },
  { path: '/runs/:id', name: 'run', component: () => import('./views/RunView.vue') },
  { path: '/predict', name: 'predict', component: () => import('./views/PredictView.vue') },
  { path: '/live', name: 'live', component: () => import('./views/LiveView.vue') },
  { path: '/tune', name: 'tune', component: () => import('./views/TuneView.vue') },
  { path: '/compare', name: 'compare', component: () => import('./views/CompareView.vue') },
  { path: '/playground', name: 'playground', component: () => import('./views/PlaygroundView.vue') },
  { path: '/concepts', name: 'concepts', component: () => import('./views/ConceptsView.vue') },
  { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createLabRouter() {
  return createRouter({ history: createWebHashHistory(), routes });
}
