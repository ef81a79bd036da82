import { parsePriority } from './query-params';
import type { Priority } from '../../domain/directive-schema';
import { normalizePersian } from '../../lib/persian-text';
import type { DirectiveSpec, DirectiveState, DirectiveStatus } from '../../workflows/types';
import { directiveWorkflowId } from '../../workflows/contract';
import { compliancePercent } from '../directives/compliance';
import type { TemporalGateway } from '../temporal-gateway';
import { mapBounded } from './map-bounded';

/** One line of the directive list. `status` is null when the directive's workflow could not be asked. */
export interface DirectiveListRow {
  id: string;
  startedAt: Date;
  title: string;
  priority: Priority;
  acknowledgeBy: string | null;
  reportBy: string | null;
  status: DirectiveStatus | null;
  compliancePercent: number;
}

export interface DirectiveListFilter {
  state?: DirectiveState;
  priority?: Priority;
  /** Words that must appear in the title or the id. */
  text?: string;
  page: number;
}

export interface DirectiveListPage {
  rows: DirectiveListRow[];
  /** Matching directives across all pages. */
  total: number;
  page: number;
  pages: number;
  /** True when more directives exist than the list looks at (the oldest are left out). */
  truncated: boolean;
}

export const directivesPerPage = 20;
/** The most recent directives the list considers; older ones are reached by their address. */
const scanLimit = 500;

/**
 * The office's directive list. Visibility is used only to find which directives exist (it lags and may
 * show stale counts); every count comes from the directive workflow's own status query, so it never goes
 * backwards after a reply. A closed directive's status is its workflow's result, read from history without
 * a worker, and kept: it cannot change any more. Documents are kept per version.
 */
export class DirectiveCatalog {
  private readonly documents = new Map<string, { version: number; spec: DirectiveSpec }>();
  private readonly finished = new Map<string, DirectiveStatus>();

  constructor(
    private readonly gateway: TemporalGateway,
    /** Only directives run on this task queue (one deployment's) are listed. */
    private readonly taskQueue: string,
  ) {}

  async list(filter: DirectiveListFilter): Promise<DirectiveListPage> {
    const clauses = [`FarmanKind = 'directive'`, `TaskQueue = '${this.taskQueue.replace(/'/g, '')}'`];
    if (filter.priority) clauses.push(`Priority = '${filter.priority}'`);
    const found: { id: string; startedAt: Date; running: boolean }[] = [];
    for await (const wf of this.gateway.client.workflow.list({ query: clauses.join(' AND '), pageSize: 100 })) {
      const id = wf.workflowId.replace(/^directive:/, '');
      found.push({ id, startedAt: wf.startTime, running: wf.status.name === 'RUNNING' });
      if (found.length >= scanLimit) break;
    }
    found.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    const rows = await mapBounded(found, 8, (f) => this.row(f.id, f.startedAt, f.running));
    const words = filter.text ? normalizePersian(filter.text).split(/\s+/).filter(Boolean) : [];
    const matching = rows.filter(
      (r) =>
        (!filter.state || r.status?.state === filter.state) &&
        (!filter.priority || r.priority === filter.priority) &&
        words.every((w) => r.title.includes(w) || r.id.includes(w)),
    );
    const pages = Math.max(1, Math.ceil(matching.length / directivesPerPage));
    const page = Math.min(Math.max(1, filter.page), pages);
    return {
      rows: matching.slice((page - 1) * directivesPerPage, page * directivesPerPage),
      total: matching.length,
      page,
      pages,
      truncated: found.length >= scanLimit,
    };
  }

  private async row(id: string, startedAt: Date, running: boolean): Promise<DirectiveListRow> {
    try {
      const status = await this.status(id, running);
      const spec = await this.document(id, status.version);
      return {
        id,
        startedAt,
        title: spec.title,
        priority: spec.priority,
        acknowledgeBy: spec.acknowledgeBy,
        reportBy: spec.reportBy,
        status,
        compliancePercent: compliancePercent(status),
      };
    } catch {
      const known = this.documents.get(id)?.spec;
      return {
        id,
        startedAt,
        title: known?.title ?? id,
        priority: parsePriority(known?.priority) ?? 'normal',
        acknowledgeBy: known?.acknowledgeBy ?? null,
        reportBy: known?.reportBy ?? null,
        status: null,
        compliancePercent: 0,
      };
    }
  }

  private async status(id: string, running: boolean): Promise<DirectiveStatus> {
    const kept = this.finished.get(id);
    if (kept) return kept;
    if (!running) {
      const result = await this.gateway.client.workflow
        .getHandle(directiveWorkflowId(id))
        .result()
        .catch(() => undefined);
      if (result) {
        const status = result as DirectiveStatus;
        this.finished.set(id, status);
        return status;
      }
    }
    return this.gateway.directiveStatus(id);
  }

  private async document(id: string, version: number): Promise<DirectiveSpec> {
    const kept = this.documents.get(id);
    if (kept && kept.version === version) return kept.spec;
    const { spec } = await this.gateway.directiveDocument(id);
    this.documents.set(id, { version: spec.version, spec });
    return spec;
  }
}
