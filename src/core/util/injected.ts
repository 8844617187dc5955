// Modules the host injects (parquet-wasm, pdf.js): each platform loads its own build, the core only
// asks for the module, loaded once on first use; a load that failed is tried again on the next ask.
export interface Injected<M> {
  /** How this platform loads the module; null removes it. */
  set(load: (() => Promise<M>) | null): void;
  load(): Promise<M>;
}

/** `missing` is the message when nothing was injected (a sentence for the user, in French). */
export function injected<M>(missing: string): Injected<M> {
  let loading: Promise<M> | undefined;
  let loader: (() => Promise<M>) | undefined;
  return {
    set(load) {
      if (loader === (load ?? undefined)) return;
      loader = load ?? undefined;
      loading = undefined;
    },
    load() {
      const load = loader;
      if (!load) return Promise.reject(new Error(missing));
      loading ??= load().catch((e: unknown) => {
        loading = undefined;
        throw e;
      });
      return loading;
    },
  };
}
