// The engine starts first, the interface is loaded and drawn while the worker fetches and instantiates
// DuckDB (#15.8): the app shows its shell and the engine's status at once instead of after the wasm.
import { prestartBrowserEngine } from './host/engine.ts';

prestartBrowserEngine();

const [{ mount }, { default: App }, { locale }] = await Promise.all([
  import('svelte'),
  import('./ui/App.svelte'),
  import('./i18n/index.ts'),
  import('./ui/app.css'),
]);
document.documentElement.lang = locale();
mount(App, { target: document.getElementById('app')! });
