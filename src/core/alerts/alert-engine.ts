import type { DependencyGraph, HostedVersion } from './dependency-graph.js';
import type { EcosystemRanges, RangesOf } from './ecosystem-ranges.js';

/** How far alerts follow dependencies through Kura-hosted packages. */
const maxDepth = 6;

/** A published advisory as alerting sees it. */
export interface AlertingAdvisory {
  id: number;
  /** The owner of the advisory's repository; null for an imported advisory. */
  ownerId: number | null;
  /** Alerts only the repositories of its own owner: unreviewed while review is required, or from a private repository. */
  ownOwnerOnly: boolean;
}

/** One affected package of an advisory, its name normalized. */
export interface AlertingVulnerability {
  ecosystem: string;
  name: string;
  range: string;
}

/** An alert that should be open: a package's latest version reaches an affected version. */
export interface Finding {
  repoId: number | null;
  packageId: number;
  /** The dependent package's latest version. */
  version: string;
  advisoryId: number;
  ecosystem: string;
  dependency: string;
  /** From the dependent package's name to the affected package's (normalized names after the first). */
  path: string[];
  declaredRange: string;
  scope: string;
}

export const findingKey = (f: Pick<Finding, 'repoId' | 'packageId' | 'advisoryId' | 'dependency'>) => `${f.repoId}:${f.packageId}:${f.advisoryId}:${f.dependency}`;

/** Whether an advisory may alert a package of `ownerId`. */
export const alertsOwner = (advisory: AlertingAdvisory, ownerId: number) => !advisory.ownOwnerOnly || advisory.ownerId === ownerId;

/**
 * Computes which alerts should exist, from the dependency index alone: up from an advisory's
 * affected package to every dependent (one query per level of the graph), or down from one
 * package's latest version (one query per level). Both apply one rule: a declared range on the
 * affected package matches when it admits one of its Kura-hosted affected versions (or, when Kura
 * hosts none, overlaps the vulnerable range); a range on another Kura-hosted package follows the
 * highest version it admits, as a fresh install would.
 */
export class AlertEngine {
  constructor(private readonly graph: DependencyGraph, private readonly ranges: RangesOf) {}

  /** Every finding of one advisory. */
  async findingsOfAdvisory(advisory: AlertingAdvisory, vulnerabilities: readonly AlertingVulnerability[]): Promise<Finding[]> {
    const found = new Map<string, Finding>();
    for (const vulnerability of vulnerabilities) {
      const rules = this.ranges(vulnerability.ecosystem);
      if (!rules) continue;
      const { ecosystem } = vulnerability;
      const hosted = await this.graph.hostedVersions(ecosystem, [vulnerability.name]);
      let level = new Map<string, { match: (range: string) => boolean; tail: string[] }>([
        [vulnerability.name, { match: directMatcher(rules, vulnerability.range, hosted.get(vulnerability.name)), tail: [vulnerability.name] }],
      ]);
      const visited = new Set([vulnerability.name]);
      for (let depth = 0; depth < maxDepth && level.size > 0; depth++) {
        const reached = new Map<string, { versions: Set<string>; tail: string[] }>();
        for (const edge of await this.graph.dependentsOf(ecosystem, [...level.keys()])) {
          const entry = level.get(edge.dependency)!;
          if (!entry.match(edge.range)) continue;
          if (edge.latest && edge.repoId !== null && alertsOwner(advisory, edge.ownerId)) {
            const finding: Finding = {
              repoId: edge.repoId, packageId: edge.packageId, version: edge.version, advisoryId: advisory.id, ecosystem,
              dependency: vulnerability.name, path: [edge.packageName, ...entry.tail], declaredRange: edge.range, scope: edge.scope,
            };
            if (!found.has(findingKey(finding))) found.set(findingKey(finding), finding);
          }
          if (visited.has(edge.packageKey)) continue;
          const next = reached.get(edge.packageKey) ?? { versions: new Set<string>(), tail: [edge.packageKey, ...entry.tail] };
          next.versions.add(edge.version);
          reached.set(edge.packageKey, next);
        }
        for (const key of reached.keys()) visited.add(key);
        const nextHosted = reached.size > 0 ? await this.graph.hostedVersions(ecosystem, [...reached.keys()]) : new Map<string, HostedVersion[]>();
        level = new Map([...reached].map(([key, { versions, tail }]) => {
          const candidates = nextHosted.get(key) ?? [];
          return [key, { match: memo((range) => versions.has(resolve(rules, candidates, range)?.version ?? '\u0000')), tail }];
        }));
      }
    }
    return [...found.values()];
  }

  /**
   * Every finding of one package's latest version, against the advisories `advisoriesOn` returns
   * for a list of normalized names (published ones only).
   */
  async findingsOfPackage(
    packageId: number,
    advisoriesOn: (ecosystem: string, names: readonly string[]) => Promise<Map<string, Array<{ advisory: AlertingAdvisory; range: string }>>>,
  ): Promise<Finding[]> {
    const latest = await this.graph.latestOf(packageId);
    const rules = latest && this.ranges(latest.format);
    if (!latest || !rules) return [];
    const ecosystem = latest.format;
    type Step = { dependency: string; range: string; rootRange: string; rootScope: string; path: string[] };
    let frontier: Step[] = (await this.graph.declaredBy([latest.versionId])).map((e) => ({ dependency: e.dependency, range: e.range, rootRange: e.range, rootScope: e.scope, path: [latest.name] }));
    const visited = new Set<string>();
    const found = new Map<string, Finding>();
    const matchers = new Map<string, (range: string) => boolean>();
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const names = [...new Set(frontier.map((s) => s.dependency))];
      const [advisories, hosted] = await Promise.all([advisoriesOn(ecosystem, names), this.graph.hostedVersions(ecosystem, names)]);
      for (const step of frontier) {
        for (const { advisory, range } of advisories.get(step.dependency) ?? []) {
          if (!alertsOwner(advisory, latest.ownerId)) continue;
          const matcherKey = `${step.dependency}\u0000${range}`;
          let match = matchers.get(matcherKey);
          if (!match) matchers.set(matcherKey, (match = directMatcher(rules, range, hosted.get(step.dependency))));
          if (!match(step.range)) continue;
          const finding: Finding = {
            repoId: latest.repoId, packageId, version: latest.version, advisoryId: advisory.id, ecosystem,
            dependency: step.dependency, path: [...step.path, step.dependency], declaredRange: step.rootRange, scope: step.rootScope,
          };
          if (!found.has(findingKey(finding))) found.set(findingKey(finding), finding);
        }
      }
      const expand = new Map<number, Step>();
      for (const step of frontier) {
        const candidates = hosted.get(step.dependency);
        if (!candidates || visited.has(step.dependency)) continue;
        const best = resolve(rules, candidates, step.range);
        if (best && !expand.has(best.versionId)) expand.set(best.versionId, step);
      }
      for (const step of frontier) if (hosted.has(step.dependency)) visited.add(step.dependency);
      frontier = (await this.graph.declaredBy([...expand.keys()])).map((e) => {
        const parent = expand.get(e.versionId)!;
        return { dependency: e.dependency, range: e.range, rootRange: parent.rootRange, rootScope: parent.rootScope, path: [...parent.path, parent.dependency] };
      });
    }
    return [...found.values()];
  }
}

/** Whether a declared range reaches an affected version of the vulnerable package. */
function directMatcher(rules: EcosystemRanges, vulnerableRange: string, hosted: readonly HostedVersion[] | undefined): (range: string) => boolean {
  const affected = (hosted ?? []).filter((v) => safely(() => rules.admits(vulnerableRange, v.version)));
  if (affected.length > 0) return memo((range) => affected.some((v) => safely(() => rules.admits(range, v.version))));
  return memo((range) => safely(() => rules.overlaps(range, vulnerableRange)));
}

/** The highest version among `candidates` that `range` admits. */
function resolve(rules: EcosystemRanges, candidates: readonly HostedVersion[], range: string): HostedVersion | null {
  let best: HostedVersion | null = null;
  for (const candidate of candidates) {
    if (!safely(() => rules.admits(range, candidate.version))) continue;
    if (!best || safely(() => rules.compare(candidate.version, best!.version) > 0)) best = candidate;
  }
  return best;
}

function memo(check: (range: string) => boolean): (range: string) => boolean {
  const seen = new Map<string, boolean>();
  return (range) => {
    let result = seen.get(range);
    if (result === undefined) seen.set(range, (result = check(range)));
    return result;
  };
}

/** Range rules of stored text never fail an alert computation: a range that cannot be read matches nothing. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
