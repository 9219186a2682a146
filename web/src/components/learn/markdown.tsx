"use client";

import type { Element, ElementContent, Root } from "hast";
import * as React from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

import type { Citation } from "@/lib/protocol";
import { cn } from "@/lib/utils";

import { CitationButton } from "./citation";

const MARKER = /\[(\d{1,3})\]/g;

/** Element names whose text is quoted verbatim: `xs[1]` in code is not a citation. */
const VERBATIM = new Set(["code", "pre", "a"]);

function splitMarkers(value: string): ElementContent[] {
  const parts: ElementContent[] = [];
  let last = 0;
  for (const match of value.matchAll(MARKER)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ type: "text", value: value.slice(last, at) });
    parts.push({
      type: "element",
      tagName: "sup",
      properties: { dataCitation: match[1] },
      children: [{ type: "text", value: match[0] }],
    });
    last = at + match[0].length;
  }
  if (parts.length === 0) return [{ type: "text", value }];
  if (last < value.length) parts.push({ type: "text", value: value.slice(last) });
  return parts;
}

function markCitations(node: Root | Element): void {
  const children: (Root["children"][number] | ElementContent)[] = [];
  for (const child of node.children) {
    if (child.type === "text") {
      children.push(...splitMarkers(child.value));
      continue;
    }
    if (child.type === "element" && !VERBATIM.has(child.tagName)) markCitations(child);
    children.push(child);
  }
  node.children = children as typeof node.children;
}

/** Turns "[n]" in prose into citation marker elements the renderer below picks up. */
function rehypeCitations() {
  return (tree: Root) => markCitations(tree);
}

function citationFor(citations: Citation[], n: number): Citation | undefined {
  return citations.find((c) => c.number === n) ?? citations[n - 1];
}

export interface MarkdownProps extends React.HTMLAttributes<HTMLDivElement> {
  text: string;
  /** What "[n]" markers point at; a marker without one stays plain text. */
  citations?: Citation[];
}

/** The tutor's Markdown (lessons and chat answers), with numbered citation buttons. */
export function Markdown({ text, citations = [], className, ...props }: MarkdownProps) {
  const components = React.useMemo<Components>(
    () => ({
      sup({ node, children, ...rest }) {
        const raw = node?.properties?.dataCitation;
        if (raw === undefined) return <sup {...rest}>{children}</sup>;
        const n = Number(raw);
        const citation = citationFor(citations, n);
        return citation ? <CitationButton number={n} citation={citation} /> : <>{`[${n}]`}</>;
      },
      // The page has its own h1: a lesson's top heading sits under it.
      h1({ node: _node, ...rest }) {
        return <h2 {...rest} />;
      },
      a({ node: _node, ...rest }) {
        return <a {...rest} target="_blank" rel="noreferrer noopener" />;
      },
      // Wide code and tables scroll inside themselves, never the page.
      pre({ node: _node, className: preClass, ...rest }) {
        return <pre className={cn("overflow-x-auto", preClass)} {...rest} />;
      },
      table({ node: _node, ...rest }) {
        return (
          <div className="overflow-x-auto">
            <table {...rest} />
          </div>
        );
      },
    }),
    [citations],
  );

  return (
    <div
      className={cn(
        // Code blocks on the page's muted tone, with or without a highlighted language.
        "prose prose-sm max-w-none break-words sm:prose-base prose-code:before:content-none prose-code:after:content-none prose-pre:bg-muted prose-pre:text-foreground [&_pre_code.hljs]:bg-transparent [&_pre_code.hljs]:p-0",
        className,
      )}
      {...props}
    >
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeCitations, [rehypeHighlight, { detect: false }]]}
        components={components}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
