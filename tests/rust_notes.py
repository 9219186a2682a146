"""Two short Markdown notes on Rust's ownership, for tests that teach from real-looking notes."""

from __future__ import annotations

RULES = """\
# Ownership in Rust

Ownership is the set of rules that govern how a Rust program manages memory.
Memory is managed through a system of ownership with rules the compiler checks.
If any of the rules are violated, the program will not compile.

## The ownership rules

Each value in Rust has an owner.
There can only be one owner at a time.
When the owner goes out of scope, the value will be dropped.

## Variable scope

A scope is the range within a program for which an item is valid.
The variable is valid from the point at which it is declared until the end of the
current scope.

```rust
{
    let s = "hello"; // s is valid from this point forward
    println!("{s}");
} // this scope is now over, and s is no longer valid
```
"""

MOVES = """\
# Moves

## Moving a String

A `String` stores its text on the heap, and the variable holds a pointer, a length
and a capacity. When one `String` variable is assigned to another, the pointer is
copied but the heap data is not. Rust then considers the first variable no longer
valid, so nothing is freed twice. This is called a move.

```rust
let s1 = String::from("hello");
let s2 = s1;
println!("{s2}, world!");
```

Using `s1` after the move is a compile error: the value was moved into `s2`.

## Clone

When a deep copy of the heap data is wanted, call the `clone` method.
Types such as integers that have a known size are stored on the stack and are copied
instead of moved.
"""

NOTES = {"ownership-rules.md": RULES, "moves.md": MOVES}
