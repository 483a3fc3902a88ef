// Which subtypes a new follower gets. Seed 000 §1.3: "discussion" is everyone's default;
// §1.4: a sales team's subscription sets the default of its members on the team's documents.

export interface SubtypeInfo {
  id: number;
  code: string;
  model: string | null;
  internal: boolean;
  isDefault: boolean;
  parentSubtypeId: number | null;
}

/** A subtype without a model applies to every model; one with a model only to that model. */
export function appliesTo(subtype: Pick<SubtypeInfo, 'model'>, model: string): boolean {
  return subtype.model === null || subtype.model === model;
}

/**
 * Default subtypes of a new follower of a record of `model`.
 * Internal subtypes (notes…) are for internal users only: an external partner gets them only
 * when someone adds them by hand (seed 000 §6, §10).
 */
export function defaultSubtypeIds(subtypes: SubtypeInfo[], model: string, isInternalUser: boolean): number[] {
  return subtypes
    .filter((s) => s.isDefault && appliesTo(s, model) && (isInternalUser || !s.internal))
    .map((s) => s.id);
}

/**
 * Subtypes a follower of a parent record (a sales team) gets on a new child record (a quotation):
 * each followed parent subtype that has a child subtype on the child's model maps to that child;
 * a followed subtype that itself applies to the child's model (discussion, note) carries over as is.
 */
export function propagatedSubtypeIds(
  followedOnParent: number[],
  subtypes: SubtypeInfo[],
  childModel: string,
): number[] {
  const followed = new Set(followedOnParent);
  const result = new Set<number>();
  const isParentOfSomeChild = new Set<number>();
  for (const child of subtypes) {
    if (child.parentSubtypeId === null || !appliesTo(child, childModel)) continue;
    isParentOfSomeChild.add(child.parentSubtypeId);
    if (followed.has(child.parentSubtypeId)) result.add(child.id);
  }
  for (const subtype of subtypes) {
    if (followed.has(subtype.id) && !isParentOfSomeChild.has(subtype.id) && appliesTo(subtype, childModel)) {
      result.add(subtype.id);
    }
  }
  return [...result].sort((a, b) => a - b);
}
