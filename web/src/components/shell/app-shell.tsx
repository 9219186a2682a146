"use client";

import { BookOpen, ChartLine, GraduationCap, LibraryBig, LogOut, Network } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { useLearner, useSession } from "@/lib/session";
import { cn } from "@/lib/utils";

const NAV = [
  { href: "/learn/", label: "Learn", icon: GraduationCap },
  { href: "/library/", label: "Library", icon: LibraryBig },
  { href: "/graph/", label: "Graph", icon: Network },
  { href: "/progress/", label: "Progress", icon: ChartLine },
];

/** The frame of every signed-in page: the navigation, then the page. */
export function AppShell({ children }: { children: React.ReactNode }) {
  const learner = useLearner();
  const { signOut } = useSession();
  const pathname = usePathname();
  const router = useRouter();

  return (
    <div className="flex min-h-dvh flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-background focus:p-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-3 sm:px-6">
          <Link href="/learn/" className="mr-2 flex items-center gap-2 font-semibold" aria-label="tutor, home">
            <BookOpen className="size-5 text-primary" aria-hidden />
            <span className="hidden sm:inline">tutor</span>
          </Link>
          <nav aria-label="Main" className="flex flex-1 items-center gap-1 overflow-x-auto">
            {NAV.map(({ href, label, icon: Icon }) => {
              const current = pathname === href || pathname === href.slice(0, -1);
              return (
                <Link
                  key={href}
                  href={href}
                  aria-current={current ? "page" : undefined}
                  className={cn(
                    "flex items-center gap-1.5 rounded-md px-2.5 py-2 text-sm font-medium text-muted-foreground hover:bg-accent hover:text-accent-foreground",
                    current && "bg-accent text-accent-foreground",
                  )}
                >
                  <Icon className="size-4" aria-hidden />
                  <span className="sr-only sm:not-sr-only">{label}</span>
                </Link>
              );
            })}
          </nav>
          {learner && <span className="hidden text-sm text-muted-foreground md:inline">{learner.name}</span>}
          <Button
            variant="ghost"
            size="icon"
            aria-label="Sign out"
            title="Sign out"
            onClick={async () => {
              await signOut();
              router.replace("/signin/");
            }}
          >
            <LogOut aria-hidden />
          </Button>
        </div>
      </header>
      <main id="main" className="mx-auto flex w-full max-w-7xl flex-1 flex-col px-3 py-4 sm:px-6">
        {learner ? children : <p className="text-muted-foreground" role="status">Loading…</p>}
      </main>
    </div>
  );
}
