import CDeflate
import CZlib
import Foundation
import HindsightCore

/// Reads a whole file into memory, transparently inflating gzip (detected by its magic bytes).
public enum FileBytes {
    public static func read(_ path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw HindsightError(
                .fileNotFound, "\(path): file not found",
                cause: "check the path; it is resolved from the current directory")
        }
        if isDir.boolValue {
            throw HindsightError(
                .invalidArgument, "\(path) is a folder, not a file", cause: "give the path of a CSV file")
        }
        guard let raw = readPlain(path) else {
            throw HindsightError(.io, "\(path): cannot read the file", cause: "check its permissions")
        }
        if raw.count >= 2, raw[0] == 0x1f, raw[1] == 0x8b {
            return try gunzip(raw, path: path)
        }
        return raw
    }

    /// The file's bytes, read straight into the array: a regular file by its size (going through `Data` copied 122 MB
    /// twice, 13 % of a CSV load), anything else (a pipe) through `FileManager`.
    static func readPlain(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        }
        let size = Int(st.st_size)
        // Large files are read in one part a core: the kernel's copy into the array was 70 ms of a 122 MB load.
        let parts = size < 8 << 20 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Bytes read by each part, or -1 when its read failed.
        let got = Locked<[Int]>(Array(repeating: 0, count: parts))
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { b, n in
            let buffer = DisjointWrites(b)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                let from = size * k / parts, to = size * (k + 1) / parts
                var at = from
                while at < to {
                    let r = pread(fd, buffer.start(at, count: to - at), to - at, off_t(at))
                    if r < 0 && errno == EINTR { continue }
                    if r < 0 { return got.withLock { $0[k] = -1 } }
                    guard r > 0 else { break }
                    at += r
                }
                got.withLock { $0[k] = at - from }
            }
            // A part that came back short (the file shrank) ends the bytes there.
            n = 0
            for (k, count) in got.value.enumerated() {
                n += max(0, count)
                guard count == size * (k + 1) / parts - size * k / parts else { break }
            }
        }
        guard !got.value.contains(-1) else { return nil }
        // A file that grew while it was read is read again whole (one that shrank gives what was there).
        var extra: UInt8 = 0
        if bytes.count == size, pread(fd, &extra, 1, off_t(size)) == 1 {
            return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        }
        return bytes
    }

    /// Inflates every gzip member of `input`.
    static func gunzip(_ input: [UInt8], path: String) throws -> [UInt8] {
        if let whole = inflateWhole(input) { return whole }
        return try inflateMembers(input, path: path)
    }

    /// A file of one gzip member decoded in one call by libdeflate, sized by the member's trailer: 2–2.5× zlib's
    /// speed (0.026–0.043 s against 0.059–0.072 s for the 21 MB `us-equities` prices, most of that file's load).
    /// Nil for anything else (several members, trailing padding, a size past 4 GiB, damage): zlib then decodes
    /// it member by member and names what is wrong.
    static func inflateWhole(_ input: [UInt8]) -> [UInt8]? {
        let n = input.count
        guard n >= 18 else { return nil }
        let size = input[(n - 4)...].reversed().reduce(0) { $0 << 8 | Int($1) }
        // Deflate expands at most about 1,032:1; a larger claim is damage, not a reason to reserve memory.
        guard size > 0, size <= n * 1032, let decoder = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decoder) }
        var whole = false
        let out = [UInt8](unsafeUninitializedCapacity: size) { b, count in
            var read = 0, written = 0
            let status = input.withUnsafeBytes { i in
                libdeflate_gzip_decompress_ex(decoder, i.baseAddress, n, b.baseAddress, size, &read, &written)
            }
            whole = status == LIBDEFLATE_SUCCESS && read == n && written == size
            count = whole ? size : 0
        }
        return whole ? out : nil
    }

    /// Inflates every gzip member of `input` with zlib.
    static func inflateMembers(_ input: [UInt8], path: String) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed = 0
        while consumed < input.count {
            var stream = z_stream()
            guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw HindsightError(.io, "\(path): cannot initialise gzip decoding")
            }
            defer { inflateEnd(&stream) }
            var status: Int32 = Z_OK
            try input.withUnsafeBufferPointer { inBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                stream.avail_in = UInt32(inBuf.count - consumed)
                repeat {
                    try chunk.withUnsafeMutableBufferPointer { outBuf in
                        stream.next_out = outBuf.baseAddress
                        stream.avail_out = UInt32(outBuf.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        if status != Z_OK && status != Z_STREAM_END {
                            throw HindsightError(
                                .invalidData, "\(path): corrupt gzip data (zlib status \(status))",
                                cause: "re-download the file or pass the uncompressed CSV")
                        }
                        out.append(contentsOf: outBuf[0..<(outBuf.count - Int(stream.avail_out))])
                    }
                } while status != Z_STREAM_END && stream.avail_in > 0
                if status != Z_STREAM_END {
                    throw HindsightError(
                        .invalidData, "\(path): truncated gzip file",
                        cause: "the file ends before the gzip stream does; re-download it")
                }
                consumed = inBuf.count - Int(stream.avail_in)
            }
            // Skip trailing zero padding some tools append.
            while consumed < input.count, input[consumed] == 0 { consumed += 1 }
        }
        return out
    }
}
