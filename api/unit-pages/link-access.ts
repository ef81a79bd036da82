import type { FileRef } from '../../domain/directive-schema';
import type { FileStore } from '../../lib/file-store';
import { verifyLinkToken, type LinkClaims, type SigningKey } from '../../lib/link-token';
import type { Registry } from '../../domain/registry';
import type { Unit } from '../../domain/registry-schema';
import type { DirectiveSpec, ReportValues } from '../../workflows/types';
import type { UnitState } from '../../workflows/unit-state';
import { directiveIdPattern } from '../directives/directive-detail';
import { NotFound } from '../errors';
import type { TemporalGateway } from '../temporal-gateway';
import { LinkRefused } from './page-errors';

export interface UnitPageDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  /** The keys that verify link tokens (the first one signs, in the worker). */
  signingKeys: SigningKey[];
  /** The site's public base URL; its origin is the only one whose forms are accepted. */
  publicUrl: string;
  /** The clock, for expiry and "time left"; tests may pin it. */
  now?: () => number;
}

/** The directive document of the unit's current version, as stored beside Temporal. */
export interface DirectiveDocument {
  title: string;
  body: string;
  attachments: FileRef[];
}

/** A link whose signature and expiry checked out, before its unit has been asked anything. */
export interface SignedLink {
  token: string;
  claims: LinkClaims;
}

/** A link that passed every check: who it is for and what the unit's workflow knows now. */
export interface OpenLink extends SignedLink {
  state: UnitState;
  document: DirectiveDocument;
  /** The unit in the registry (null if it has since been removed; the page still works). */
  unit: Unit | null;
}

/**
 * Opens a unit's link: verifies the signature and expiry, reads the unit's state from its workflow (a query:
 * nothing changes), and checks that the link's generation is the current one. Throws `LinkTokenError`
 * (forged, malformed, expired) or `LinkRefused` (unknown, revoked, cancelled) for the page to explain.
 * Revocation is checked before cancellation, so a revoked link reveals nothing more about the directive.
 */
export async function openLink(deps: UnitPageDeps, token: string): Promise<OpenLink> {
  const { claims } = signedLink(deps, token);
  let state: UnitState;
  try {
    state = await deps.gateway.unitState(claims.directiveId, claims.unitCode);
  } catch (err) {
    if (err instanceof NotFound) throw new LinkRefused('unknown');
    throw err;
  }
  if (state.unitCode !== claims.unitCode) throw new LinkRefused('mismatch');
  if (claims.generation < state.linkGeneration) throw new LinkRefused('revoked');
  if (claims.generation > state.linkGeneration) throw new LinkRefused('mismatch');
  if (state.state === 'cancelled') {
    const cancelled = [...state.log].reverse().find((t) => t.event.type === 'cancelled')?.event;
    throw new LinkRefused('cancelled', cancelled?.type === 'cancelled' ? cancelled.reason : undefined);
  }
  const spec = await deps.files.getJson<DirectiveSpec>(state.policy.specRef);
  return {
    token,
    claims,
    state,
    document: { title: spec.title, body: spec.body, attachments: spec.attachments ?? [] },
    unit: deps.registry().get(state.unitCode) ?? null,
  };
}

/** Checks a link's signature, expiry and directive id (no round trip); throws like `openLink`. */
export function signedLink(deps: UnitPageDeps, token: string): SignedLink {
  const claims = verifyLinkToken(token, deps.signingKeys, (deps.now ?? Date.now)());
  if (!directiveIdPattern.test(claims.directiveId)) throw new LinkRefused('unknown');
  return { token, claims };
}

/** The file references in a set of report values. */
export function filesIn(values: ReportValues | null | undefined): FileRef[] {
  if (!values) return [];
  return Object.values(values).flatMap((v) =>
    Array.isArray(v) ? v.filter((f): f is FileRef => typeof f === 'object' && f !== null && 'sha256' in f) : [],
  );
}

/**
 * Every file this link may download: the directive's attachments and the files of this unit's reports (the
 * current one, the kept draft and every report it ever submitted). Any other hash, even one that exists in
 * the store, is not this link's business.
 */
export function filesOfLink(link: OpenLink): Map<string, FileRef> {
  const refs = [
    ...link.document.attachments,
    ...filesIn(link.state.report?.values),
    ...filesIn(link.state.draft),
    ...link.state.log.flatMap((t) => (t.event.type === 'reportSubmitted' ? filesIn(t.event.values) : [])),
  ];
  return new Map(refs.map((f) => [f.sha256, f]));
}
