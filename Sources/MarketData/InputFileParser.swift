import HindsightCore

/// Parses the non-price input files into a `MarketDataset`, collecting rejected rows.
public struct InputFileParser {
    public private(set) var dataset = MarketDataset()
    public private(set) var rejects: [RejectedRow] = []
    /// Factor files given in percent are divided by 100.
    public var factorsInPercent = false
    public static let defaultValidFrom = TradingDay(year: 1900, month: 1, day: 1)!

    public init(factorsInPercent: Bool = false) { self.factorsInPercent = factorsInPercent }

    /// Moves rows whose table key repeats within the files to the rejects (the first one is kept), so an in-file
    /// duplicate is reported as one, with both lines, whether or not `--replace` is given.
    public mutating func rejectDuplicates() {
        func sweep<T>(_ rows: inout [T], column: String, key: (T) -> String, source: (T) -> SourceLocation?) {
            var first: [String: Int] = [:]
            var kept: [T] = []
            kept.reserveCapacity(rows.count)
            for r in rows {
                let k = key(r)
                if let line = first[k] {
                    let at = source(r)
                    rejects.append(
                        RejectedRow(
                            file: at?.file ?? "-", line: at?.line ?? 0, column: column, value: k,
                            reason: "duplicate \(column) in the file; first seen on line \(line)"))
                } else {
                    first[k] = source(r)?.line ?? 0
                    kept.append(r)
                }
            }
            rows = kept
        }
        sweep(
            &dataset.corporateActions, column: "(ticker, date, kind)",
            key: { "\($0.ticker) \($0.date) \($0.kind.rawValue)" }, source: { $0.source })
        sweep(&dataset.regimes, column: "date", key: { $0.date.iso }, source: { $0.source })
        sweep(
            &dataset.factorReturns, column: "(date, factor)", key: { "\($0.date) \($0.factor)" }, source: { $0.source })
        sweep(
            &dataset.companyProfiles, column: "(ticker, valid_from)", key: { "\($0.ticker) \($0.validFrom)" },
            source: { $0.source })
        sweep(
            &dataset.sectorProfiles, column: "(sector, valid_from)", key: { "\($0.sector) \($0.validFrom)" },
            source: { $0.source })
    }

    public mutating func parse(kind: InputKind, file path: String) throws {
        let bytes = try FileBytes.read(path)
        try parse(kind: kind, bytes: bytes, path: path)
    }

    public mutating func parse(kind: InputKind, bytes: [UInt8], path: String) throws {
        var csv = CSVReader(bytes: bytes, path: path)
        var ds = dataset, rej = rejects
        defer {
            dataset = ds
            rejects = rej
        }
        let header = try csv.header()
        let names = header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        func col(_ wanted: [String], required: Bool = true) throws -> Int? {
            for w in wanted { if let i = names.firstIndex(of: w) { return i } }
            if !required { return nil }
            throw HindsightError(
                .invalidData, "\(path):1: missing column '\(wanted[0])' in header '\(header.joined(separator: ","))'",
                cause: "a \(kind.rawValue) file needs the header: \(kind.expectedHeader)")
        }
        switch kind {
        case .prices, .intraday:
            preconditionFailure("prices are parsed by PriceFileParser, intraday bars by IntradayFileParser")
        case .corporateActions:
            let cT = try col(["ticker", "symbol"])!, cD = try col(["date", "ex_date"])!,
                cK = try col(["kind", "type", "action"])!
            let cV = try col(["value", "ratio_or_amount", "ratio", "amount"])!
            try InputFileParser.rows(&csv, header, need: max(cT, cD, cK, cV), &rej) { csv, line in
                guard let d = csv.day(cD) else { return (cD, "unparsable date; expected YYYY-MM-DD") }
                guard let kind = CorporateAction.Kind(rawValue: csv.string(cK).lowercased()) else {
                    return (cK, "unknown kind; expected split or dividend")
                }
                guard let v = csv.double(cV) else { return (cV, "unparsable number") }
                guard v > 0 else {
                    return (cV, "must be > 0 (split: new shares per old share; dividend: cash per share)")
                }
                let t = csv.string(cT).uppercased()
                guard !t.isEmpty else { return (cT, "empty ticker") }
                ds.corporateActions.append(
                    CorporateAction(ticker: t, date: d, kind: kind, value: v, source: .init(file: path, line: line)))
                return nil
            }
        case .regimes:
            let cD = try col(["date"])!, cI = try col(["regime_id", "regime"])!,
                cL = try col(["label", "name"], required: false)
            try InputFileParser.rows(&csv, header, need: max(cD, cI, cL ?? 0), &rej) { csv, line in
                guard let d = csv.day(cD) else { return (cD, "unparsable date; expected YYYY-MM-DD") }
                guard let v = csv.double(cI), v == v.rounded() else { return (cI, "expected an integer regime id") }
                let label = cL.map { csv.string($0) } ?? "regime-\(Int(v))"
                ds.regimes.append(
                    RegimeRecord(date: d, regimeID: Int(v), label: label, source: .init(file: path, line: line)))
                return nil
            }
        case .profiles:
            let cT = try col(["ticker", "symbol"])!, cS = try col(["sector"])!
            let cI = try col(["industry"], required: false), cF = try col(["valid_from", "date"], required: false)
            let cP = try col(["profile_version_id", "version"], required: false)
            let extra = names.indices.filter { ![cT, cS, cI, cF, cP].contains($0) }
            try InputFileParser.rows(&csv, header, need: max(cT, cS, cI ?? 0, cF ?? 0, cP ?? 0), &rej) { csv, line in
                let t = csv.string(cT).uppercased()
                guard !t.isEmpty else { return (cT, "empty ticker") }
                guard let from = InputFileParser.validFrom(csv, cF) else {
                    return (cF!, "unparsable date; expected YYYY-MM-DD")
                }
                let version = cP.flatMap { csv.isEmpty($0) ? nil : csv.string($0) } ?? "\(t)@\(from.iso)"
                ds.companyProfiles.append(
                    CompanyProfile(
                        ticker: t, validFrom: from, profileVersionID: version,
                        sector: csv.string(cS), industry: cI.map { csv.string($0) } ?? "",
                        fieldsJSON: InputFileParser.fields(csv, names, extra), source: .init(file: path, line: line)))
                return nil
            }
        case .sectorProfiles:
            let cS = try col(["sector"])!, cF = try col(["valid_from", "date"], required: false)
            let cP = try col(["profile_version_id", "version"], required: false)
            let extra = names.indices.filter { ![cS, cF, cP].contains($0) }
            try InputFileParser.rows(&csv, header, need: max(cS, cF ?? 0, cP ?? 0), &rej) { csv, line in
                let s = csv.string(cS)
                guard !s.isEmpty else { return (cS, "empty sector") }
                guard let from = InputFileParser.validFrom(csv, cF) else {
                    return (cF!, "unparsable date; expected YYYY-MM-DD")
                }
                let version = cP.flatMap { csv.isEmpty($0) ? nil : csv.string($0) } ?? "\(s)@\(from.iso)"
                ds.sectorProfiles.append(
                    SectorProfile(
                        sector: s, validFrom: from, profileVersionID: version,
                        fieldsJSON: InputFileParser.fields(csv, names, extra), source: .init(file: path, line: line)))
                return nil
            }
        case .universe:
            let cU = try col(["universe_id", "universe"])!, cD = try col(["as_of_date", "date"])!
            let cT = try col(["ticker", "symbol"])!, cR = try col(["rank"], required: false)
            var index: [String: Int] = [:]
            let rule = JSONText.object([("kind", JSONText.quote("static")), ("source", JSONText.quote(path))])
            try InputFileParser.rows(&csv, header, need: max(cU, cD, cT, cR ?? 0), &rej) { csv, line in
                let u = csv.string(cU)
                guard !u.isEmpty else { return (cU, "empty universe id") }
                guard let d = csv.day(cD) else { return (cD, "unparsable date; expected YYYY-MM-DD") }
                let t = csv.string(cT).uppercased()
                guard !t.isEmpty else { return (cT, "empty ticker") }
                let key = u + "|" + d.iso
                let slot: Int
                if let s = index[key] {
                    slot = s
                } else {
                    slot = ds.universes.count
                    index[key] = slot
                    ds.universes.append(UniverseSnapshot(universeID: u, asOf: d, ruleJSON: rule, members: []))
                }
                var rank = ds.universes[slot].members.count + 1
                if let cR, !csv.isEmpty(cR) {
                    guard let r = csv.double(cR), r == r.rounded(), r >= 1 else {
                        return (cR, "expected a positive integer rank")
                    }
                    rank = Int(r)
                }
                ds.universes[slot].members.append(.init(ticker: t, rank: rank, source: .init(file: path, line: line)))
                return nil
            }
        case .factors:
            let cD = try col(["date"])!
            let factorCols = names.indices.filter { $0 != cD }
            guard !factorCols.isEmpty else {
                throw HindsightError(
                    .invalidData, "\(path):1: no factor columns",
                    cause: "a factors file needs the header: \(kind.expectedHeader)")
            }
            let divisor = factorsInPercent ? 100.0 : 1.0
            try InputFileParser.rows(&csv, header, need: max(cD, factorCols.max()!), &rej) { csv, line in
                guard let d = csv.day(cD) else { return (cD, "unparsable date; expected YYYY-MM-DD") }
                var values: [Double] = []
                for c in factorCols {
                    guard let v = csv.double(c) else { return (c, "unparsable number") }
                    values.append(v / divisor)
                }
                for (c, v) in zip(factorCols, values) {
                    ds.factorReturns.append(
                        FactorReturn(date: d, factor: names[c], value: v, source: .init(file: path, line: line)))
                }
                return nil
            }
        }
    }

    /// Runs `body` on every record; a returned (column, reason) rejects the row.
    private static func rows(
        _ csv: inout CSVReader, _ header: [String], need: Int, _ rejects: inout [RejectedRow],
        _ body: (inout CSVReader, Int) throws -> (Int, String)?
    ) throws {
        while csv.next() {
            let line = csv.lineNumber
            if csv.fieldCount <= need {
                rejects.append(
                    RejectedRow(
                        file: csv.path, line: line, column: header[min(csv.fieldCount, header.count - 1)],
                        value: csv.lineText(),
                        reason: "missing column: expected \(header.count) fields, found \(csv.fieldCount)"))
                continue
            }
            if let (c, reason) = try body(&csv, line) {
                rejects.append(
                    RejectedRow(file: csv.path, line: line, column: header[c], value: csv.string(c), reason: reason))
            }
        }
    }

    /// The optional valid_from column, defaulting to 1900-01-01; nil when present but unparsable.
    static func validFrom(_ csv: CSVReader, _ col: Int?) -> TradingDay? {
        guard let col, !csv.isEmpty(col) else { return defaultValidFrom }
        return csv.day(col)
    }

    /// Extra columns as a JSON object: numbers stay numbers, the rest are strings, empty cells are dropped.
    static func fields(_ csv: CSVReader, _ names: [String], _ cols: [Int]) -> String {
        var pairs: [(String, String)] = []
        for c in cols where c < csv.fieldCount && !csv.isEmpty(c) {
            if let v = csv.double(c) {
                pairs.append((names[c], JSONText.number(v)))
            } else {
                pairs.append((names[c], JSONText.quote(csv.string(c))))
            }
        }
        return JSONText.object(pairs)
    }
}
