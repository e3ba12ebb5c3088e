import type { ArtifactFileName } from './artifact-file-name.js';
import { createPomReader, readPom, type PomFacts } from './pom.js';
import { isZipExtension, ZipShapeCheck } from './zip-shape.js';

/** What Kura learned from an upload while it streamed into the blob store. */
export interface InspectionResult {
  /** The POM's facts when the upload is the version's POM. */
  pom: PomFacts | null;
}

/** Sees every chunk of an upload in order, then judges it. */
export interface UploadInspection {
  /** @throws KuraError as soon as the bytes so far are known to be bad. */
  update(chunk: Uint8Array): void;
  /** @throws KuraError INVALID_MANIFEST, INVALID_ARCHIVE, PAYLOAD_TOO_LARGE */
  finish(): InspectionResult;
}

/**
 * The checks for one file: the main POM is parsed (strictly, entities off), zip-based
 * artifacts (jar, war, ear, aar, zip) must be zip archives, other files pass as they are.
 */
export function inspectionFor(fileName: string, parsed: ArtifactFileName): UploadInspection {
  if (parsed.extension === 'pom' && parsed.classifier === null) {
    const reader = createPomReader();
    return { update: (chunk) => reader.write(chunk), finish: () => ({ pom: readPom(reader.finish()) }) };
  }
  if (isZipExtension(parsed.extension)) {
    const check = new ZipShapeCheck(fileName);
    return {
      update: (chunk) => check.update(chunk),
      finish: () => {
        check.finish();
        return { pom: null };
      },
    };
  }
  return { update: () => undefined, finish: () => ({ pom: null }) };
}

/** Passes a stream through unchanged while showing each chunk to `inspection`. */
export async function* inspected(source: AsyncIterable<Uint8Array>, inspection: UploadInspection): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    inspection.update(chunk);
    yield chunk;
  }
}
