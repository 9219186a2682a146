"use client";

import { python } from "@codemirror/lang-python";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import * as React from "react";

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language?: string;
  /** The id of the text that explains the editor's keys. */
  describedBy?: string;
}

/** A code editor with an accessible name; Python is highlighted. */
export function CodeEditor({ value, onChange, language, describedBy }: CodeEditorProps) {
  const extensions = React.useMemo(() => {
    const attributes: Record<string, string> = { "aria-label": "Code editor" };
    if (describedBy) attributes["aria-describedby"] = describedBy;
    const list = [EditorView.contentAttributes.of(attributes), EditorView.lineWrapping];
    return language === "python" ? [...list, python()] : list;
  }, [language, describedBy]);

  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={extensions}
      minHeight="8rem"
      maxHeight="24rem"
      basicSetup={{ foldGutter: false }}
      className="overflow-hidden rounded-md border border-input text-sm"
    />
  );
}
