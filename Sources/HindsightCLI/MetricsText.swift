import Analytics

/// Readable text for a metrics report: scalars as a two-column table, then the regression and tables.
enum MetricsText {
    static func render(_ v: JSONValue) -> String {
        guard case .object(let pairs) = v else { return v.render(indent: 2) }
        var rows: [[String]] = []
        var sections: [String] = []
        for (k, x) in pairs {
            switch x {
            case .number(let d): rows.append([k, format(d)])
            case .integer(let i): rows.append([k, String(i)])
            case .string(let s): rows.append([k, s])
            case .object(let inner) where k == "factor_regression":
                sections.append(regression(inner))
            case .object(let inner):
                for (ik, iv) in inner {
                    if case .object(let leaf) = iv {
                        rows.append(["\(k).\(ik)", leaf.map { "\($0.0)=\(scalar($0.1))" }.joined(separator: "  ")])
                    } else {
                        rows.append(["\(k).\(ik)", scalar(iv)])
                    }
                }
            case .array(let items) where k == "yearly_returns" || k == "top_drawdowns":
                sections.append(
                    "\(k):\n"
                        + items.map { item in
                            if case .object(let f) = item {
                                return "  " + f.map { "\($0.0)=\(scalar($0.1))" }.joined(separator: "  ")
                            }
                            return ""
                        }.joined(separator: "\n"))
            default: break
            }
        }
        return ([TextTable.render(header: ["metric", "value"], rows: rows)] + sections).joined(separator: "\n\n")
    }

    static func regression(_ f: [(String, JSONValue)]) -> String {
        func col(_ key: String) -> [(String, JSONValue)] {
            if case .object(let c)? = f.first(where: { $0.0 == key })?.1 { return c }
            return []
        }
        let names = col("coefficients").map(\.0)
        let keys = ["coefficients", "std_errors", "t_stats", "hac_std_errors", "hac_t_stats"]
        let rows = names.enumerated().map { i, n in [n] + keys.map { scalar(col($0)[i].1) } }
        let extra = f.filter { !keys.contains($0.0) && $0.0 != "contribution_annual" }.map { "\($0.0)=\(scalar($0.1))" }
            .joined(separator: "  ")
        return "factor regression (\(extra)):\n"
            + TextTable.render(header: ["term", "coef", "se", "t", "hac_se", "hac_t"], rows: rows)
    }

    static func scalar(_ v: JSONValue) -> String {
        switch v {
        case .number(let d): return format(d)
        case .integer(let i): return String(i)
        case .string(let s): return s
        case .null: return "-"
        default: return v.render()
        }
    }

    static func format(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d > 0 ? "inf" : "-inf") }
        return String(format: "%.6g", d)
    }
}
