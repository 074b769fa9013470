import * as pulumi from "@pulumi/pulumi";

/** The settings of a stateful store that, when changed, replace its StatefulSet and detach its volume. */
export interface GuardedVolume {
  /** Field path of the store's settings, such as `postgres`. */
  readonly field: string;
  /** Volume size in GiB. */
  readonly storageGi: number;
  /** StorageClass of the volume, or `""` for the cluster default. */
  readonly storageClass: string;
}

interface GuardInputs {
  readonly volume: GuardedVolume;
  readonly allowVolumeReplacement: boolean;
}

/**
 * The engine-side check: a change of a guarded volume setting fails the preview with the way to opt in.
 * Self-contained, because the engine runs a serialized copy of it.
 * @internal
 */
export const volumeGuardProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<GuardInputs>, news: GuardInputs) {
    const before = olds.volume;
    const after = news.volume;
    if (!before || news.allowVolumeReplacement) return { inputs: news, failures: [] };
    const changed = (["storageGi", "storageClass"] as const).filter((key) => before[key] !== after[key]);
    const failures = changed.map((key) => ({
      property: "volume",
      reason:
        `\`${after.field}.${key}\` changed from ${JSON.stringify(before[key])} to ${JSON.stringify(after[key])}: ` +
        `StatefulSet volume claim templates are immutable, so this replaces the StatefulSet and detaches its data volume. ` +
        `Nothing was changed. To keep the data, revert the setting (to grow a volume, expand its PersistentVolumeClaim in place). ` +
        `To replace it anyway, back up the data and set \`${after.field}.allowVolumeReplacement: true\`.`,
    }));
    return { inputs: news, failures };
  },
  async create(inputs: GuardInputs) {
    return { id: inputs.volume.field, outs: inputs };
  },
  async diff(_id: pulumi.ID, olds: GuardInputs, news: GuardInputs) {
    return {
      changes: JSON.stringify(olds.volume) !== JSON.stringify(news.volume) || olds.allowVolumeReplacement !== news.allowVolumeReplacement,
    };
  },
  async update(_id: pulumi.ID, _olds: GuardInputs, news: GuardInputs) {
    return { outs: news };
  },
};

/**
 * Remembers a stateful store's volume settings in the stack's state and fails the preview when a change
 * would replace the volume, unless `allowVolumeReplacement` is set. The StatefulSet depends on it.
 */
export class VolumeGuard extends pulumi.dynamic.Resource {
  constructor(name: string, args: GuardInputs, opts?: pulumi.CustomResourceOptions) {
    super(volumeGuardProvider, name, args, opts, "tenantstack", "VolumeGuard");
  }
}
