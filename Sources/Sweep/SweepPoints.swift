import HindsightCore

/// A plan's points, stored compactly: each point is its coordinates on the grid, zip and random axes (4 bytes
/// each) and its 64-bit id; a `SweepPoint` with its parameters is rebuilt when read. A million-point plan holds
/// about 30 MB instead of the 500 MB its materialised points took (the scaling study, 1,000,000 SMA points).
public struct SweepPoints: RandomAccessCollection, Sendable {
    /// The values each coordinate picks from: the grid's axes, then the zip (one coordinate), then the samples.
    final class Axes: Sendable {
        let grid: [(path: String, values: [ConfigNode])]
        let zip: [(path: String, values: [ConfigNode])]
        let samples: [[(String, ConfigNode)]]
        let hasSamples: Bool
        /// Coordinates per point.
        let width: Int

        init(spec: SweepSpec, samples: [[(String, ConfigNode)]]) {
            grid = spec.grid.map { ($0.path, $0.values) }
            zip = spec.zip.map { ($0.path, $0.values) }
            self.samples = samples
            hasSamples = spec.random != nil
            width = grid.count + (zip.isEmpty ? 0 : 1) + (hasSamples ? 1 : 0)
        }

        func params(_ c: some RandomAccessCollection<Int32>) -> [(String, ConfigNode)] {
            var out: [(String, ConfigNode)] = []
            out.reserveCapacity(grid.count + zip.count + (samples.first?.count ?? 0))
            var k = c.startIndex
            for a in grid {
                out.append((a.path, a.values[Int(c[k])]))
                k = c.index(after: k)
            }
            if !zip.isEmpty {
                let z = Int(c[k])
                for a in zip { out.append((a.path, a.values[z])) }
                k = c.index(after: k)
            }
            if hasSamples { out += samples[Int(c[k])] }
            return out
        }
    }

    let axes: Axes
    /// `axes.width` coordinates per point, point after point.
    let coords: [Int32]
    /// Each point's id (`p` and these 16 hex digits).
    let ids: [UInt64]
    /// Plan indices sorted by id, for `index(of:)`.
    private let byID: [Int32]

    init(axes: Axes, coords: [Int32], ids: [UInt64]) {
        self.axes = axes
        self.coords = coords
        self.ids = ids
        byID = (0..<Int32(ids.count)).sorted { ids[Int($0)] < ids[Int($1)] }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ids.count }

    public subscript(i: Int) -> SweepPoint {
        let w = axes.width
        let params = axes.params(coords[(i * w)..<(i * w + w)])
        return SweepPoint(
            index: i, id: SweepPoints.idText(ids[i]), params: params.map { (path: $0.0, value: $0.1) },
            paramsJSON: SweepPoints.json(params))
    }

    /// The id of the point at plan index `i` (without building the point).
    public func id(at i: Int) -> String { SweepPoints.idText(ids[i]) }

    /// The plan index of the point with this id, or nil.
    public func index(of id: String) -> Int? {
        guard id.utf8.count == 17, id.hasPrefix("p"), let v = UInt64(id.dropFirst(), radix: 16) else { return nil }
        var lo = 0, hi = byID.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[Int(byID[mid])] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < byID.count && ids[Int(byID[lo])] == v ? Int(byID[lo]) : nil
    }

    /// The point's id text (`p` and 16 lowercase hex digits).
    static func idText(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return "p" + String(repeating: "0", count: 16 - s.count) + s
    }

    /// `{"path": value, ...}` with sorted keys: the point's identity.
    static func json(_ params: [(String, ConfigNode)]) -> String {
        JSONText.object(params.map { ($0.0, $0.1.canonicalJSON) })
    }

    static func number(_ params: [(String, ConfigNode)], _ name: String) -> Double? {
        guard let v = params.first(where: { $0.0 == name })?.1, case .scalar(let s, _) = v.value else { return nil }
        return Double(s)
    }
}
