import HindsightCore

/// What one import wrote.
public struct ImportSummary: Sendable, Equatable {
    public var rowsByTable: [String: Int] = [:]
    public init(rowsByTable: [String: Int] = [:]) { self.rowsByTable = rowsByTable }
    public var totalRows: Int { rowsByTable.values.reduce(0, +) }
}
