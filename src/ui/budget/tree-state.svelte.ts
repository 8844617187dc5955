// The drill-down tree's state: children are fetched from the engine when a node is opened, and the
// rows on screen are the opened nodes walked in order. Changing the filter starts again from the sections.
import { childLevel, treeNodes, type TreeFilter, type TreeLevel, type TreeNode, type TreePath } from '../../core/budget/tree.ts';
import type { ReconcileParams } from '../../core/budget/reconcile.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { errorText } from '../../core/util/errors.ts';

export interface TreeRow {
  key: string;
  node: TreeNode;
  depth: number;
  path: TreePath;
  /** Null when the node has no children (the deepest level reconciled). */
  expandable: boolean;
}

const ROOT = '';

function keyOf(path: TreePath, level: TreeLevel, code: string | null): string {
  return JSON.stringify([path, level, code]);
}

export class TreeState {
  children = $state.raw<Map<string, TreeNode[]>>(new Map());
  open = $state.raw<Set<string>>(new Set());
  loading = $state(false);
  error = $state<string | null>(null);
  private generation = 0;
  private engine: Engine | null = null;
  private table = '';
  private deepest: TreeLevel = 'nature';
  private filter: TreeFilter = { year: null, flow: 'D', opType: 'all' };

  /** Starts over on a new result or filter: the sections, closed. */
  async reset(engine: Engine, table: string, reconciledAt: ReconcileParams['level'], filter: TreeFilter): Promise<void> {
    const gen = ++this.generation;
    Object.assign(this, { engine, table, deepest: reconciledAt, filter: { ...filter } });
    this.open = new Set();
    this.children = new Map();
    await this.load(gen, ROOT, 'section', {});
  }

  private async load(gen: number, key: string, level: TreeLevel, path: TreePath): Promise<void> {
    if (!this.engine) return;
    this.loading = true;
    this.error = null;
    try {
      const nodes = await treeNodes(this.engine, this.table, this.deepest, this.filter, level, path);
      if (gen !== this.generation) return;
      this.children = new Map(this.children).set(key, nodes);
    } catch (e) {
      if (gen === this.generation) this.error = errorText(e);
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  async toggle(row: TreeRow): Promise<void> {
    const open = new Set(this.open);
    if (open.has(row.key)) {
      open.delete(row.key);
      this.open = open;
      return;
    }
    open.add(row.key);
    this.open = open;
    const next = childLevel(row.node.level);
    if (next && !this.children.has(row.key))
      await this.load(this.generation, row.key, next, { ...row.path, [row.node.level]: row.node.code });
  }

  canOpen(level: TreeLevel): boolean {
    const order: TreeLevel[] = ['section', 'chapter', 'function', 'nature'];
    return order.indexOf(level) < order.indexOf(this.deepest);
  }

  /** The rows on screen: every opened node followed by its children, depth first. */
  get rows(): TreeRow[] {
    const out: TreeRow[] = [];
    const walk = (key: string, depth: number, path: TreePath) => {
      for (const node of this.children.get(key) ?? []) {
        const k = keyOf(path, node.level, node.code);
        out.push({ key: k, node, depth, path, expandable: this.canOpen(node.level) });
        if (this.open.has(k)) walk(k, depth + 1, { ...path, [node.level]: node.code });
      }
    };
    walk(ROOT, 0, {});
    return out;
  }
}
