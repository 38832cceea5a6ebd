import { computed, onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue';
import { echarts, type ChartOption, type EChartsInstance } from './echarts';

export type ThemeChoice = 'light' | 'dark' | 'auto';

/** The theme charts should draw in: the prop when given, else the system's prefers-color-scheme (live). */
export function useChartTheme(choice: Ref<ThemeChoice | undefined>): Ref<'light' | 'dark'> {
  const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  const systemDark = ref(media?.matches ?? false);
  const onChange = (e: MediaQueryListEvent): void => {
    systemDark.value = e.matches;
  };
  onMounted(() => media?.addEventListener('change', onChange));
  onBeforeUnmount(() => media?.removeEventListener('change', onChange));
  return computed(() => {
    const c = choice.value ?? 'auto';
    if (c === 'auto') return systemDark.value ? 'dark' : 'light';
    return c;
  });
}

/**
 * One ECharts instance bound to an element: created on mount, resized with its box, re-themed live,
 * disposed on unmount. `update` merges by series id, so callers send only what changed.
 */
export function useEChart(el: Ref<HTMLElement | null>, theme: Ref<'light' | 'dark'>, renderer: 'canvas' | 'svg' = 'canvas') {
  const chart = shallowRef<EChartsInstance | null>(null);
  let observer: ResizeObserver | null = null;
  let pending: { option: ChartOption; replace: boolean } | null = null;

  onMounted(() => {
    if (!el.value) return;
    const instance = echarts.init(el.value, theme.value === 'dark' ? 'dark' : undefined, { renderer });
    chart.value = instance;
    if (pending) {
      instance.setOption(pending.option, { notMerge: pending.replace, lazyUpdate: true });
      pending = null;
    }
    observer = new ResizeObserver(() => instance.resize());
    observer.observe(el.value);
  });

  watch(theme, (t) => chart.value?.setTheme(t === 'dark' ? 'dark' : 'default'));

  onBeforeUnmount(() => {
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = null;
  });

  function update(option: ChartOption, replace = false): void {
    if (!chart.value) {
      pending = pending && !replace ? { option: { ...pending.option, ...option }, replace: pending.replace } : { option, replace };
      return;
    }
    chart.value.setOption(option, { notMerge: replace, lazyUpdate: false });
  }

  return { chart, update };
}

/**
 * Coalesces bursts of data into at most one render per `minIntervalMs` (≈10 Hz), drawn in an animation
 * frame. When a render itself is slow (100,000 points on a slow machine) the interval stretches to twice its
 * duration, so charts never take more than about a third of the main thread and input stays responsive.
 */
export function useThrottledRender(render: () => void, minIntervalMs = 100): { request: () => void; flush: () => void } {
  let last = 0;
  let interval = minIntervalMs;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frame = 0;
  const run = (): void => {
    frame = 0;
    const start = performance.now();
    render();
    const took = performance.now() - start;
    last = performance.now();
    interval = Math.max(minIntervalMs, 2 * took);
  };
  const request = (): void => {
    if (timer !== null || frame !== 0) return;
    const wait = Math.max(0, last + interval - performance.now());
    timer = setTimeout(() => {
      timer = null;
      frame = requestAnimationFrame(run);
    }, wait);
  };
  const cancel = (): void => {
    if (timer !== null) clearTimeout(timer);
    if (frame !== 0) cancelAnimationFrame(frame);
    timer = null;
    frame = 0;
  };
  onBeforeUnmount(cancel);
  return {
    request,
    flush: () => {
      cancel();
      run();
    },
  };
}
