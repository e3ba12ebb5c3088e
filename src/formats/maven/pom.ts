import { KuraError } from '../../core/errors/catalogue.js';
import { child, children, childText, XmlTreeReader, type XmlElement } from '../shared/xml-tree-reader.js';

export interface PomLicense {
  name: string | null;
  url: string | null;
}

export interface PomScm {
  url: string | null;
  connection: string | null;
  developerConnection: string | null;
  tag: string | null;
}

export interface PomDependency {
  groupId: string | null;
  artifactId: string | null;
  version: string | null;
  /** Maven's default scope is `compile`. */
  scope: string;
  type: string | null;
  classifier: string | null;
  optional: boolean;
}

/** What Kura keeps of a POM: coordinates (inherited from `<parent>` when absent) and the facts a package page shows. */
export interface PomFacts {
  groupId: string | null;
  artifactId: string | null;
  version: string | null;
  packaging: string;
  name: string | null;
  description: string | null;
  url: string | null;
  licenses: PomLicense[];
  scm: PomScm | null;
  dependencies: PomDependency[];
  parent: { groupId: string | null; artifactId: string | null; version: string | null } | null;
}

/** Largest POM Kura reads; a POM is a small text file, and the bound keeps a hostile one cheap. */
export const maxPomBytes = 4 * 1024 * 1024;

/** A streaming reader for one POM upload, with Kura's limits. */
export function createPomReader(): XmlTreeReader {
  return new XmlTreeReader('the POM', { maxBytes: maxPomBytes, maxDepth: 64, maxElements: 100_000 });
}

/** Element names without a namespace prefix (`pom:project` → `project`). */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function stripPrefixes(element: XmlElement): XmlElement {
  return { ...element, name: localName(element.name), children: element.children.map(stripPrefixes) };
}

/**
 * Reads the facts of a parsed POM. Coordinates come from `<project>`, falling back to
 * `<parent>` for groupId and version as Maven does.
 * @throws KuraError INVALID_MANIFEST when the root is not `<project>` or artifactId is missing.
 */
export function readPom(document: XmlElement): PomFacts {
  const project = stripPrefixes(document);
  if (project.name !== 'project') throw new KuraError('INVALID_MANIFEST', `the POM's root element is <${document.name}>, not <project>`);
  const parentElement = child(project, 'parent');
  const parent = parentElement
    ? { groupId: childText(parentElement, 'groupId'), artifactId: childText(parentElement, 'artifactId'), version: childText(parentElement, 'version') }
    : null;
  const artifactId = childText(project, 'artifactId');
  if (!artifactId) throw new KuraError('INVALID_MANIFEST', 'the POM has no <artifactId>');
  const scmElement = child(project, 'scm');
  return {
    groupId: childText(project, 'groupId') ?? parent?.groupId ?? null,
    artifactId,
    version: childText(project, 'version') ?? parent?.version ?? null,
    packaging: childText(project, 'packaging') ?? 'jar',
    name: childText(project, 'name'),
    description: childText(project, 'description'),
    url: childText(project, 'url'),
    licenses: children(child(project, 'licenses'), 'license').map((l) => ({ name: childText(l, 'name'), url: childText(l, 'url') })),
    scm: scmElement
      ? {
          url: childText(scmElement, 'url'),
          connection: childText(scmElement, 'connection'),
          developerConnection: childText(scmElement, 'developerConnection'),
          tag: childText(scmElement, 'tag'),
        }
      : null,
    dependencies: children(child(project, 'dependencies'), 'dependency').map((d) => ({
      groupId: childText(d, 'groupId'),
      artifactId: childText(d, 'artifactId'),
      version: childText(d, 'version'),
      scope: childText(d, 'scope') ?? 'compile',
      type: childText(d, 'type'),
      classifier: childText(d, 'classifier'),
      optional: childText(d, 'optional') === 'true',
    })),
    parent,
  };
}

/** A one-line license summary for the version row: the license names, comma-separated. */
export function licenseSummary(pom: PomFacts): string | null {
  const names = pom.licenses.map((l) => l.name).filter((n): n is string => n !== null);
  return names.length > 0 ? names.join(', ') : null;
}
