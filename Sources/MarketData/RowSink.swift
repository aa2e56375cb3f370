import Foundation
import HindsightCore

/// The nine row columns of a parse, written in place: each part of a file owns `capacity` rows from its first row
/// (one per line of the part, so no part can pass the next one's start). Joining per-part arrays instead cost a
/// second copy of every row (33 ms on two threads) and a second set of page faults for a 2.2M-row file.
struct RowSink: @unchecked Sendable {
    let ticker: UnsafeMutablePointer<Int32>
    let date: UnsafeMutablePointer<TradingDay>
    let open: UnsafeMutablePointer<Double>
    let high: UnsafeMutablePointer<Double>
    let low: UnsafeMutablePointer<Double>
    let close: UnsafeMutablePointer<Double>
    let volume: UnsafeMutablePointer<Double>
    let line: UnsafeMutablePointer<Int32>
    let file: UnsafeMutablePointer<Int16>
    let capacity: Int

    /// The sink of `capacity` rows from row `first`.
    func part(from first: Int, capacity: Int) -> RowSink {
        RowSink(
            ticker: ticker + first, date: date + first, open: open + first, high: high + first, low: low + first,
            close: close + first, volume: volume + first, line: line + first, file: file + first, capacity: capacity)
    }

    @inline(__always)
    func write(
        _ i: Int, ticker t: Int32, date d: TradingDay, bar: (Double, Double, Double, Double, Double), line l: Int32,
        file f: Int16
    ) {
        precondition(i >= 0 && i < capacity, "a part wrote past its rows")
        (ticker + i).initialize(to: t)
        (date + i).initialize(to: d)
        (open + i).initialize(to: bar.0)
        (high + i).initialize(to: bar.1)
        (low + i).initialize(to: bar.2)
        (close + i).initialize(to: bar.3)
        (volume + i).initialize(to: bar.4)
        (line + i).initialize(to: l)
        (file + i).initialize(to: f)
    }

    /// Moves `count` rows from row `from` down to row `to` (rows a part did not write: rejects, blank lines).
    func move(_ count: Int, from: Int, to: Int) {
        guard count > 0, from != to else { return }
        func shift<T>(_ p: UnsafeMutablePointer<T>) { memmove(p + to, p + from, count * MemoryLayout<T>.stride) }
        shift(ticker)
        shift(date)
        shift(open)
        shift(high)
        shift(low)
        shift(close)
        shift(volume)
        shift(line)
        shift(file)
    }

    /// Nine columns of `capacity` rows holding `head`'s rows first; `fill` writes the rest through the sink and
    /// returns how many rows the columns hold in all.
    static func columns(capacity: Int, head: PriceRows, fill: (RowSink) -> Int) -> PriceRows {
        var out = PriceRows()
        var total = 0
        func make<T>(_ old: [T], _ inner: (UnsafeMutablePointer<T>) -> Void) -> [T] {
            [T](unsafeUninitializedCapacity: capacity) { b, n in
                old.withUnsafeBufferPointer { b.baseAddress!.initialize(from: $0.baseAddress!, count: $0.count) }
                inner(b.baseAddress!)
                n = total
            }
        }
        // One closure a column: each array's storage is written only while its initialiser runs.
        out.tickerIndex = make(head.tickerIndex) { t in
            out.dates = make(head.dates) { d in
                out.open = make(head.open) { o in
                    out.high = make(head.high) { h in
                        out.low = make(head.low) { l in
                            out.close = make(head.close) { c in
                                out.volume = make(head.volume) { v in
                                    out.lines = make(head.lines) { ln in
                                        out.sourceFile = make(head.sourceFile) { f in
                                            total = fill(
                                                RowSink(
                                                    ticker: t, date: d, open: o, high: h, low: l, close: c,
                                                    volume: v, line: ln, file: f, capacity: capacity))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
