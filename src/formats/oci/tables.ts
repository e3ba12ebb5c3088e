import type { Kysely, Transaction } from 'kysely';
import type { FormatContext } from '../contract.js';

/** The container format's own tables (migrations in `migrations/`), each named `container_…`. */
export interface ContainerTables {
  container_uploads: UploadsTable;
  container_blob_links: BlobLinksTable;
  container_manifests: ManifestsTable;
  container_cleanup_policies: CleanupPoliciesTable;
}

/** A container blob upload session; its bytes live in the blob store's resumable uploads under `id`. */
export interface UploadsTable {
  id: string;
  owner_id: number;
  /** The image path after the owner, e.g. `app` or `tools/cli`. */
  image: string;
  user_id: number | null;
  /** Bytes received so far. */
  size: number;
  created_at: string;
  /** Last time bytes arrived; sessions idle for a day are reaped. */
  updated_at: string;
}

/** A blob that is part of one image (pushed to it or mounted into it), by its OCI digest. */
export interface BlobLinksTable {
  owner_id: number;
  image: string;
  /** `sha256:…` or `sha512:…`, as the client named the blob. */
  digest: string;
  blob_sha256: string;
  size: number;
  created_at: string;
}

/** The container facts of a manifest version: how to serve it and what it refers to. */
export interface ManifestsTable {
  version_id: number;
  package_id: number;
  digest: string;
  blob_sha256: string;
  media_type: string;
  artifact_type: string | null;
  size: number;
  subject_digest: string | null;
  /** JSON object of the manifest's annotations, or null. */
  annotations: string | null;
  /** JSON array of the digests of the manifests an index lists (empty for image manifests). */
  children: string;
  created_at: string;
}

/** A package's cleanup rule: delete untagged manifests older than `untagged_days`. */
export interface CleanupPoliciesTable {
  package_id: number;
  untagged_days: number;
  updated_at: string;
}

export type ContainerDb = Kysely<ContainerTables>;
export type ContainerTx = Transaction<ContainerTables>;

/** What the container format receives from Kura. */
export type ContainerContext = FormatContext<ContainerTables>;
