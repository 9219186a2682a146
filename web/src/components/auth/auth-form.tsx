"use client";

import { BookOpen } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { api, ApiError } from "@/lib/api";
import { useSession } from "@/lib/session";

/** Characters besides spaces a new password needs, as the server counts them. */
export const MIN_PASSWORD = 10;

/** What is wrong with the fields before the server is asked; null when nothing. */
export function checkCredentials(mode: "signin" | "signup", name: string, password: string): string | null {
  if (!name.trim()) return "Enter a name.";
  if (!password) return "Enter a password.";
  if (mode === "signup" && password.replace(/\s/g, "").length < MIN_PASSWORD) {
    return `Use at least ${MIN_PASSWORD} characters for the password, spaces not counted.`;
  }
  return null;
}

/** Sign in or sign up: the same two fields, different words and endpoint. */
export function AuthForm({ mode }: { mode: "signin" | "signup" }) {
  const router = useRouter();
  const { refresh } = useSession();
  const [name, setName] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const signup = mode === "signup";

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const problem = checkCredentials(mode, name, password);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      await (signup ? api.signUp(name.trim(), password) : api.signIn(name.trim(), password));
      await refresh();
      router.replace(signup ? "/library/" : "/learn/");
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? "That name and password do not match an account."
          : caught instanceof Error
            ? caught.message
            : String(caught),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="grid min-h-dvh place-items-center bg-muted p-4">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <div className="flex items-center gap-2 text-primary">
            <BookOpen className="size-6" aria-hidden />
            <span className="font-semibold">tutor</span>
          </div>
          <h1 className="text-lg font-semibold leading-none">{signup ? "Create your account" : "Sign in"}</h1>
          <CardDescription>
            {signup ? "Your notes and progress stay on this server." : "Welcome back. Pick up where you left off."}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form className="space-y-4" onSubmit={submit} noValidate aria-describedby={error ? "auth-error" : undefined}>
            <div className="space-y-2">
              <Label htmlFor="name">Name</Label>
              <Input id="name" name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required />
            </div>
            <div className="space-y-2">
              <Label htmlFor="password">Password</Label>
              <Input
                id="password"
                name="password"
                type="password"
                autoComplete={signup ? "new-password" : "current-password"}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={signup ? "password-hint" : undefined}
                required
              />
              {signup && (
                <p id="password-hint" className="text-xs text-muted-foreground">
                  At least {MIN_PASSWORD} characters besides spaces, and not a common password.
                </p>
              )}
            </div>
            {error && (
              <p id="auth-error" role="alert" className="rounded-md border border-destructive/40 bg-destructive/5 p-2 text-sm text-destructive">
                {error}
              </p>
            )}
            <Button type="submit" className="w-full" disabled={busy}>
              {busy ? "Please wait…" : signup ? "Sign up" : "Sign in"}
            </Button>
          </form>
          <p className="mt-4 text-center text-sm text-muted-foreground">
            {signup ? "Already have an account? " : "New here? "}
            <Link className="font-medium text-primary underline-offset-4 hover:underline" href={signup ? "/signin/" : "/signup/"}>
              {signup ? "Sign in" : "Create an account"}
            </Link>
          </p>
        </CardContent>
      </Card>
    </main>
  );
}
