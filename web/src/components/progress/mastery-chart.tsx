"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { MasteryPoint } from "@/lib/api";

import { masterySeries } from "./mastery-series";

/** Average mastery over time, drawn and also told in words and as a table. */
export function MasteryChart({ history, conceptCount }: { history: MasteryPoint[]; conceptCount: number }) {
  const series = masterySeries(history, conceptCount);
  if (series.length === 0) return null;
  const first = series[0];
  const last = series[series.length - 1];
  const summary =
    series.length === 1
      ? `Average mastery across all ${conceptCount} concepts: ${last.average}% at ${last.label}.`
      : `Average mastery across all ${conceptCount} concepts went from ${first.average}% (${first.label}) to ${last.average}% (${last.label}).`;

  return (
    <figure className="flex flex-col gap-2">
      <div className="h-64 w-full" aria-hidden>
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: 256 }}>
          {/* Hidden from assistive tools, so not focusable either: the caption and the table
              below say the same in words. */}
          <LineChart accessibilityLayer={false} data={series} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
            <XAxis
              dataKey="label"
              tick={{ fontSize: 12 }}
              label={{ value: "Time", position: "insideBottom", offset: -12, fontSize: 12 }}
            />
            <YAxis
              domain={[0, 100]}
              tickFormatter={(v: number) => `${v}%`}
              tick={{ fontSize: 12 }}
              width={56}
              label={{ value: "Average mastery", angle: -90, position: "insideLeft", offset: 4, fontSize: 12, dy: 50 }}
            />
            <Tooltip formatter={(value) => [`${value}%`, "Average mastery"]} />
            <Line
              type="monotone"
              dataKey="average"
              name="Average mastery"
              stroke="var(--color-primary)"
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="text-sm text-muted-foreground" data-testid="chart-summary">
        {summary}
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-primary">Show the data as a table</summary>
        <table className="mt-2 w-full max-w-sm text-left">
          <caption className="sr-only">Average mastery over time</caption>
          <thead>
            <tr>
              <th scope="col" className="py-1 font-medium">
                When
              </th>
              <th scope="col" className="py-1 font-medium">
                Average mastery
              </th>
            </tr>
          </thead>
          <tbody>
            {series.map((point, index) => (
              <tr key={`${point.at}-${index}`} className="border-t">
                <td className="py-1">{point.label}</td>
                <td className="py-1">{point.average}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
