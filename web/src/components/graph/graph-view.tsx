"use client";

import { Network, ListTree, Route, Target, X } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { api, ApiError, type ConceptGraph, type ConceptProgress, type PathOut } from "@/lib/api";

import { columnsFor } from "./chapter-layout";
import { groupByChapter, isTeachable, type Chapter, type GraphConcept } from "./chapters";
import { ConceptCanvas, type Reveal } from "./concept-canvas";
import { ConceptSearch } from "./concept-search";
import { flowElements } from "./flow-elements";
import { GraphLegend } from "./graph-legend";
import { OutlineView } from "./outline-view";
import { PathSteps } from "./path-steps";

type Loaded = { graph: ConceptGraph; chapters: Chapter[]; progress: Map<string, ConceptProgress> };
export type GraphMode = "graph" | "outline";

/** Where the learner's choice of view is remembered. */
export const VIEW_KEY = "tutor.graph.view";
/** Up to this many concepts, every chapter starts open: all the cards are readable at once. */
export const OPEN_ALL_UP_TO = 24;
/** Narrower than this, the outline is the first view: a phone cannot read a graph. */
const WIDE_QUERY = "(min-width: 768px)";

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

/** A short name for a path from its targets' titles. */
export function pathName(targets: string[], titles: Map<string, string>): string {
  const names = targets.map((id) => titles.get(id) ?? "concept");
  const name = names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
  return name.length > 120 ? `${name.slice(0, 119)}…` : name;
}

/** The view to start in: the one last chosen, else the graph on a wide screen and the outline on a phone. */
export function firstMode(): GraphMode {
  try {
    const stored = window.localStorage.getItem(VIEW_KEY);
    if (stored === "graph" || stored === "outline") return stored;
  } catch {
    // Storage may be refused (private mode); fall back to the screen's width.
  }
  if (typeof window.matchMedia !== "function") return "graph";
  return window.matchMedia(WIDE_QUERY).matches ? "graph" : "outline";
}

/** The width of an element, kept up to date. */
function useWidth(): [number, (el: HTMLElement | null) => void] {
  const [width, setWidth] = React.useState(0);
  const ref = React.useCallback((el: HTMLElement | null) => {
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [width, ref];
}

/** The concept graph by chapter, and the notes' outline: mastery at a glance, a way into each lesson, and learning paths. */
export function GraphView() {
  const router = useRouter();
  const [loaded, setLoaded] = React.useState<Loaded | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [mode, setMode] = React.useState<GraphMode>("graph");
  const [open, setOpen] = React.useState<Set<string>>(new Set());
  const [found, setFound] = React.useState<string | undefined>();
  const [reveal, setReveal] = React.useState<Reveal | undefined>();
  const [path, setPath] = React.useState<PathOut | null>(null);
  const [selecting, setSelecting] = React.useState(false);
  const [selected, setSelected] = React.useState<string[]>([]);
  const [creating, setCreating] = React.useState(false);
  const [width, measure] = useWidth();

  React.useEffect(() => {
    let live = true;
    // Document titles name the chapters of loose concepts; the graph does without them.
    const documents = api.documents().catch(() => []);
    Promise.all([api.graph(), api.progress(), api.paths(), documents])
      .then(([graph, progress, paths, docs]) => {
        if (!live) return;
        const chapters = groupByChapter(graph, new Map(docs.map((d) => [d.id, d.title || d.path])));
        const teachable = chapters.reduce((n, c) => n + c.teachable.length, 0);
        setOpen(new Set(teachable <= OPEN_ALL_UP_TO ? chapters.map((c) => c.id) : []));
        setMode(firstMode());
        setLoaded({ graph, chapters, progress: new Map(progress.concepts.map((c) => [c.concept_id, c])) });
        // Paths come newest first.
        setPath(paths[0] ?? null);
      })
      .catch((e) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, []);

  const titles = React.useMemo(() => new Map((loaded?.graph.nodes ?? []).map((n) => [n.id, n.title])), [loaded]);
  const chapterOf = React.useMemo(() => {
    const of = new Map<string, Chapter>();
    for (const chapter of loaded?.chapters ?? []) for (const concept of chapter.concepts) of.set(concept.id, chapter);
    return of;
  }, [loaded]);
  const chapterTitles = React.useMemo(() => new Map([...chapterOf].map(([id, c]) => [id, c.title])), [chapterOf]);
  const searchable = React.useMemo<GraphConcept[]>(() => {
    const all = (loaded?.chapters ?? []).flatMap((c) => c.concepts);
    // The graph draws only what is taught; the outline lists everything.
    return mode === "graph" ? all.filter(isTeachable) : all;
  }, [loaded, mode]);

  const onActivate = React.useCallback(
    (id: string) => {
      if (selecting) {
        setSelected((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]));
      } else {
        router.push(`/learn/?concept=${id}`);
      }
    },
    [router, selecting],
  );

  const onToggle = React.useCallback((chapterId: string) => {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(chapterId)) next.delete(chapterId);
      else next.add(chapterId);
      return next;
    });
    // Opening shows the chapter from its heading; closing keeps the closed card in view.
    setReveal((r) => ({ node: `chapter:${chapterId}`, how: "top", focus: false, seq: (r?.seq ?? 0) + 1 }));
  }, []);

  const onPick = (concept: GraphConcept) => {
    setFound(concept.id);
    const chapter = chapterOf.get(concept.id);
    if (mode === "graph" && chapter) {
      setOpen((current) => new Set(current).add(chapter.id));
      setReveal((r) => ({ node: concept.id, how: "centre", focus: true, seq: (r?.seq ?? 0) + 1 }));
    }
  };

  const chooseMode = (next: GraphMode) => {
    setMode(next);
    try {
      window.localStorage.setItem(VIEW_KEY, next);
    } catch {
      // Not remembered, but the view still changes.
    }
  };

  const elements = React.useMemo(
    () =>
      loaded
        ? flowElements({
            chapters: loaded.chapters,
            edges: loaded.graph.edges,
            progress: loaded.progress,
            open,
            columns: columnsFor(width),
            steps: path?.steps ?? [],
            selecting,
            selected: new Set(selected),
            found,
            onActivate,
            onToggle,
          })
        : null,
    [loaded, open, width, path, selecting, selected, found, onActivate, onToggle],
  );

  const createPath = async () => {
    setCreating(true);
    setError(null);
    try {
      const created = await api.createPath(pathName(selected, titles), selected);
      setPath(created);
      setSelecting(false);
      setSelected([]);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setCreating(false);
    }
  };

  const leaveTargetMode = () => {
    setSelecting(false);
    setSelected([]);
  };

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Concept graph</h1>
        <p className="text-muted-foreground">
          {selecting
            ? "Choose the concepts you want to reach, then set a learning path."
            : mode === "graph"
              ? "Open a chapter to see its concepts, and a concept to learn it. Arrows lead from what to learn first."
              : "Your notes' contents, chapter by chapter: learn any concept from here."}
        </p>
      </div>

      {error && (
        <p role="alert" className="rounded-md border border-destructive bg-destructive/5 p-3 text-sm text-destructive">
          {error}
        </p>
      )}

      {!loaded && !error && (
        <p role="status" className="text-muted-foreground">
          Loading the graph…
        </p>
      )}

      {loaded && loaded.graph.nodes.length === 0 && (
        <div className="rounded-lg border p-6 text-center">
          <p className="font-medium">No concepts yet.</p>
          <p className="text-muted-foreground">
            Upload notes in the{" "}
            <Link href="/library/" className="text-primary underline underline-offset-4">
              Library
            </Link>{" "}
            and their concepts appear here.
          </p>
        </div>
      )}

      {loaded && elements && loaded.graph.nodes.length > 0 && (
        <>
          <div className="flex flex-wrap items-end justify-between gap-3">
            <ConceptSearch concepts={searchable} chapterOf={chapterTitles} onPick={onPick} />
            <div role="group" aria-label="View" className="flex gap-1">
              <Button variant={mode === "graph" ? "default" : "outline"} aria-pressed={mode === "graph"} onClick={() => chooseMode("graph")}>
                <Network aria-hidden />
                Graph
              </Button>
              <Button variant={mode === "outline" ? "default" : "outline"} aria-pressed={mode === "outline"} onClick={() => chooseMode("outline")}>
                <ListTree aria-hidden />
                Outline
              </Button>
            </div>
          </div>

          <div role="toolbar" aria-label="Learning path" className="flex flex-wrap items-center gap-2">
            <Button
              variant={selecting ? "default" : "outline"}
              aria-pressed={selecting}
              onClick={() => (selecting ? leaveTargetMode() : setSelecting(true))}
            >
              <Target aria-hidden />
              Choose targets
            </Button>
            {selecting && (
              <>
                <Button onClick={createPath} disabled={selected.length === 0 || creating}>
                  <Route aria-hidden />
                  {creating ? "Setting…" : "Set learning path"}
                </Button>
                <Button variant="ghost" onClick={leaveTargetMode}>
                  <X aria-hidden />
                  Clear
                </Button>
                <span className="text-sm text-muted-foreground" aria-live="polite">
                  {selected.length === 0
                    ? "No targets chosen"
                    : `${selected.length} ${selected.length === 1 ? "target" : "targets"}: ${pathName(selected, titles)}`}
                </span>
              </>
            )}
          </div>

          {mode === "graph" ? (
            // The attribution link keeps readable contrast in the theme's colours.
            <div
              ref={measure}
              className="h-[65vh] min-h-[420px] w-full overflow-hidden rounded-lg border [&_.react-flow\_\_attribution]:bg-background/90 [&_.react-flow\_\_attribution_a]:text-muted-foreground!"
              data-testid="graph-canvas"
            >
              <ConceptCanvas elements={elements} reveal={reveal} />
            </div>
          ) : (
            <OutlineView
              chapters={loaded.chapters}
              progress={loaded.progress}
              selecting={selecting}
              selected={new Set(selected)}
              found={found}
              onActivate={onActivate}
            />
          )}

          {path && <PathSteps path={path} titles={titles} progress={loaded.progress} />}
          {mode === "graph" && <GraphLegend />}
        </>
      )}
    </div>
  );
}
