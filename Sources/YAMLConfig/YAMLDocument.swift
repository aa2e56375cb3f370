import Foundation
import HindsightCore
import Yams

/// Reads YAML into a `ConfigNode` tree that keeps every value's line and column.
public enum YAMLDocument {
    /// Loads and parses a YAML file.
    public static func load(path: String) throws -> ConfigNode {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw HindsightError(
                .fileNotFound, "\(path): no such file",
                cause: "check the path; configs are YAML files such as configs/sma-goog.yaml")
        }
        if isDir.boolValue {
            throw HindsightError(
                .invalidArgument, "\(path) is a folder, not a YAML file",
                cause: "give the path of a config or sweep file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HindsightError(.io, "\(path): cannot read the file", cause: "check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let utf16 =
                data.count >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF))
            throw HindsightError(
                .invalidArgument, "\(path): the file is \(utf16 ? "UTF-16" : "not UTF-8") text",
                cause: "save it as UTF-8")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        let flow = flowDepth(text)
        if flow.depth > maxDepth {
            throw HindsightError(
                .invalidArgument,
                "\(file):\(flow.line): brackets nest \(flow.depth) levels deep, more than \(maxDepth)",
                cause: "a config needs only a few levels; check for unclosed [ or {")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw describe(e, file: file)
        } catch {
            throw HindsightError(.invalidArgument, "\(file): not valid YAML", cause: short("\(error)"))
        }
        guard let node else {
            throw HindsightError(
                .invalidArgument, "\(file): the file is empty",
                cause: "write a YAML mapping; see README.md for an example")
        }
        var budget = Budget()
        return try convert(node, file: file, path: "", budget: &budget, depth: 0)
    }

    /// Limits on the tree a file may expand to: aliases can make a small file expand without bound ("billion
    /// laughs"), and deep nesting would exhaust the stack.
    public static let maxNodes = 200_000
    public static let maxDepth = 64

    struct Budget { var nodes = 0 }

    /// Nesting of flow brackets outside quotes and comments, checked before composing (which recurses).
    static func flowDepth(_ text: String) -> (depth: Int, line: Int) {
        var depth = 0, deepest = 0, line = 1, deepestLine = 1
        var quote: UInt8 = 0, comment = false
        for b in text.utf8 {
            if b == 10 {
                line += 1
                comment = false
                continue
            }
            if comment { continue }
            if quote != 0 {
                if b == quote { quote = 0 }
                continue
            }
            switch b {
            case 34, 39: quote = b
            case 35: comment = true
            case 91, 123:
                depth += 1
                if depth > deepest {
                    deepest = depth
                    deepestLine = line
                }
            case 93, 125: depth = max(0, depth - 1)
            default: break
            }
        }
        return (deepest, deepestLine)
    }

    static func mark(_ m: Mark?, file: String) -> ConfigMark {
        ConfigMark(file: file, line: m?.line ?? 1, column: m?.column ?? 1)
    }

    static func convert(_ node: Node, file: String, path: String, budget: inout Budget, depth: Int) throws -> ConfigNode
    {
        let here = mark(node.mark, file: file)
        budget.nodes += 1
        if budget.nodes > maxNodes {
            throw HindsightError(
                .invalidArgument,
                "\(file): the YAML expands to more than \(maxNodes) values (aliases expanding each other?)",
                cause: "write the values out; a config or sweep file needs far fewer")
        }
        if depth > maxDepth {
            throw HindsightError(
                .invalidArgument, "\(here): values nest more than \(maxDepth) levels deep",
                cause: "flatten the structure")
        }
        switch node {
        case .scalar(let s):
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                return ConfigNode(.null, mark: here, path: path)
            }
            return ConfigNode(.scalar(s.string, plain: s.style == .plain), mark: here, path: path)
        case .sequence(let seq):
            var items: [ConfigNode] = []
            for (i, item) in seq.enumerated() {
                items.append(try convert(item, file: file, path: "\(path)[\(i)]", budget: &budget, depth: depth + 1))
            }
            return ConfigNode(.sequence(items), mark: here, path: path)
        case .mapping(let map):
            var entries: [ConfigNode.Entry] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw HindsightError(
                        .invalidArgument, "\(mark(k.mark, file: file)): a key must be a plain word",
                        cause: "write `key: value`")
                }
                let childPath = path.isEmpty ? ks.string : path + "." + ks.string
                entries.append(
                    ConfigNode.Entry(
                        key: ks.string, keyMark: mark(k.mark, file: file),
                        value: try convert(v, file: file, path: childPath, budget: &budget, depth: depth + 1)))
            }
            return ConfigNode(.mapping(entries), mark: here, path: path)
        case .alias:
            throw HindsightError(
                .invalidArgument, "\(here): YAML aliases (*name) are not supported",
                cause: "write the value out in full")
        }
    }

    static func describe(_ e: YamlError, file: String) -> HindsightError {
        switch e {
        case .scanner(let context, let problem, let m, _), .parser(let context, let problem, let m, _),
            .composer(let context, let problem, let m, _):
            let ctx = context.map { " \(short($0.text))" } ?? ""
            return HindsightError(
                .invalidArgument, "\(file):\(m.line):\(m.column): YAML syntax error: \(short(problem))\(ctx)",
                cause: "check the indentation and the `key: value` form near line \(m.line)")
        case .reader(let problem, let offset, _, _):
            return HindsightError(
                .invalidArgument,
                "\(file): cannot read the YAML: \(short(problem))\(offset.map { " at byte \($0)" } ?? "")",
                cause: "save the file as UTF-8")
        default:
            return HindsightError(.invalidArgument, "\(file): not valid YAML", cause: short("\(e)"))
        }
    }

    /// A message part cut to a readable length (a library's message can quote the whole file).
    static func short(_ s: String, limit: Int = 200) -> String {
        let firstLine = s.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? s
        return firstLine.count <= limit ? firstLine : String(firstLine.prefix(limit)) + "…"
    }
}
