"use client";

import { Search } from "lucide-react";
import * as React from "react";

import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";

import { searchConcepts, type GraphConcept } from "./chapters";

/**
 * Find a concept by title as you type: a combobox whose list follows the arrow keys;
 * Enter or a click picks the concept, Escape closes the list.
 */
export function ConceptSearch({
  concepts,
  chapterOf,
  onPick,
}: {
  concepts: GraphConcept[];
  /** The chapter each concept is in, shown beside it to tell equal titles apart. */
  chapterOf: Map<string, string>;
  onPick: (concept: GraphConcept) => void;
}) {
  const [query, setQuery] = React.useState("");
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(0);
  const listId = React.useId();
  const found = React.useMemo(() => searchConcepts(concepts, query), [concepts, query]);
  const showing = open && query.trim() !== "";

  const pick = (concept: GraphConcept) => {
    setOpen(false);
    setQuery(concept.title);
    onPick(concept);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setOpen(true);
      if (found.length) setActive((i) => (i + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length);
    } else if (event.key === "Enter") {
      const concept = found[active];
      if (showing && concept) {
        event.preventDefault();
        pick(concept);
      }
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  };

  return (
    <div className="relative w-full sm:max-w-sm">
      <label htmlFor={`${listId}-input`} className="mb-1 block text-sm font-medium">
        Find a concept
      </label>
      <div className="relative">
        <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
        <Input
          id={`${listId}-input`}
          type="search"
          role="combobox"
          autoComplete="off"
          placeholder="Type a title"
          aria-autocomplete="list"
          aria-expanded={showing}
          aria-controls={listId}
          aria-activedescendant={showing && found[active] ? `${listId}-${found[active].id}` : undefined}
          className="pl-8"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
      </div>
      {showing && (
        <ul
          id={listId}
          role="listbox"
          aria-label="Matching concepts"
          className="absolute z-20 mt-1 max-h-80 w-full overflow-auto rounded-md border bg-background p-1 shadow-lg"
        >
          {found.length === 0 && (
            <li role="option" aria-selected={false} aria-disabled className="px-2 py-1.5 text-sm text-muted-foreground">
              No concept has that in its title.
            </li>
          )}
          {found.map((concept, i) => (
            <li
              key={concept.id}
              id={`${listId}-${concept.id}`}
              role="option"
              aria-selected={i === active}
              data-testid="search-result"
              // Picking on mouse down, before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(concept);
              }}
              onMouseEnter={() => setActive(i)}
              className={cn("cursor-pointer rounded px-2 py-1.5 text-sm", i === active && "bg-accent text-accent-foreground")}
            >
              <span className="font-medium">{concept.title}</span>
              {chapterOf.get(concept.id) && chapterOf.get(concept.id) !== concept.title && (
                <span className="block text-xs text-muted-foreground">{chapterOf.get(concept.id)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
