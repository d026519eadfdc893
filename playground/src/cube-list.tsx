/** The user's cubes as the server lists them (own and shared): access and memory count, one click to open. */
import type { Cubes } from "./cubes";

export function CubeList(props: { userId: string; cubes: Cubes; current: string; onOpen: (cube: string) => void }) {
  const listed = new Map(props.cubes.listed.map((cube) => [cube.cube_id, cube]));
  return (
    <ul class="cube-list" aria-label="Your cubes" data-testid="cube-list">
      {props.cubes.known.map((id) => {
        const cube = listed.get(id);
        return (
          <li key={id}>
            <button
              type="button"
              class={`cube-card${id === props.current ? " active" : ""}`}
              aria-pressed={id === props.current}
              onClick={() => props.onOpen(id)}
              data-testid="cube-card"
            >
              <span class="cube-name">{id}</span>
              <span class="meta-line">
                {cube ? (
                  <>
                    <span class={`badge access-${cube.access}`}>{cube.owner_id === props.userId ? cube.access : `${cube.access} · ${cube.owner_id}'s`}</span>
                    <span data-testid="cube-count">
                      {cube.memory_count} {cube.memory_count === 1 ? "memory" : "memories"}
                    </span>
                  </>
                ) : (
                  <span class="muted">{id === props.userId ? "created on the first write" : "not listed"}</span>
                )}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
