"use client";

import "@xyflow/react/dist/style.css";

import { Background, Controls, ReactFlow, type NodeTypes } from "@xyflow/react";
import { Route, Target, X } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { api, ApiError, type ConceptGraph, type ConceptProgress, type PathOut } from "@/lib/api";

import { ConceptFlowNodeView } from "./concept-flow-node";
import { flowElements } from "./flow-elements";
import { GraphLegend } from "./graph-legend";
import { PathSteps } from "./path-steps";

// Stable across renders, as React Flow asks.
const NODE_TYPES: NodeTypes = { concept: ConceptFlowNodeView };

type Loaded = { graph: ConceptGraph; progress: Map<string, ConceptProgress> };

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

/** A short name for a path from its targets' titles. */
export function pathName(targets: string[], titles: Map<string, string>): string {
  const names = targets.map((id) => titles.get(id) ?? "concept");
  const name = names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
  return name.length > 120 ? `${name.slice(0, 119)}…` : name;
}

/** The concept graph: mastery at a glance, a way into each lesson, and learning paths. */
export function GraphView() {
  const router = useRouter();
  const [loaded, setLoaded] = React.useState<Loaded | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [path, setPath] = React.useState<PathOut | null>(null);
  const [selecting, setSelecting] = React.useState(false);
  const [selected, setSelected] = React.useState<string[]>([]);
  const [creating, setCreating] = React.useState(false);

  React.useEffect(() => {
    let live = true;
    Promise.all([api.graph(), api.progress(), api.paths()])
      .then(([graph, progress, paths]) => {
        if (!live) return;
        setLoaded({ graph, progress: new Map(progress.concepts.map((c) => [c.concept_id, c])) });
        // Paths come newest first.
        setPath(paths[0] ?? null);
      })
      .catch((e) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, []);

  const titles = React.useMemo(
    () => new Map((loaded?.graph.nodes ?? []).map((n) => [n.id, n.title])),
    [loaded],
  );

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

  const elements = React.useMemo(
    () =>
      loaded
        ? flowElements({
            graph: loaded.graph,
            progress: loaded.progress,
            steps: path?.steps ?? [],
            selecting,
            selected: new Set(selected),
            onActivate,
            rankdir: "TB",
          })
        : null,
    [loaded, path, selecting, selected, onActivate],
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
            : "Open a concept to learn it. Arrows lead from what to learn first."}
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

          {/* The attribution link keeps readable contrast in the theme's colours. */}
          <div
            className="h-[65vh] min-h-[420px] w-full overflow-hidden rounded-lg border [&_.react-flow\_\_attribution]:bg-background/90 [&_.react-flow\_\_attribution_a]:text-muted-foreground!"
            data-testid="graph-canvas"
          >
            <ReactFlow
              nodes={elements.nodes}
              edges={elements.edges}
              nodeTypes={NODE_TYPES}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              fitView
              minZoom={0.1}
              aria-label="Concept graph"
            >
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </div>

          {path && <PathSteps path={path} titles={titles} progress={loaded.progress} />}
          <GraphLegend />
        </>
      )}
    </div>
  );
}
