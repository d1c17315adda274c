//! Short pieces of text added to a string without a call to `memcpy`:
//! `push_str` makes one, whose fixed cost dominates in musl's (about 25 ns
//! a call in the benchmarks' VM, whatever the length), and a table or a
//! sweep adds thousands of short pieces.

/// Adds `s` to `b`: a short piece a character at a time.
pub fn push_short(b: &mut String, s: &str) {
    if s.len() <= 16 {
        for c in s.chars() {
            b.push(c);
        }
    } else {
        b.push_str(s);
    }
}
