/** The build's last output; the compiler writes every file of dist/ on each build. */
export const BUILD_OUTPUT: string;
/** What the build reads. */
export const BUILD_SOURCES: readonly string[];
/** Why dist/ under `root` needs a build ("no build", or the newest changed source), or null when it is current. */
export function staleBuild(root?: string): string | null;
