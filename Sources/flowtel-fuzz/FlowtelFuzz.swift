#if FUZZING
import CLibFuzzer
#endif
import Glibc
import PacketIO

/// `flowtel-fuzz`: libFuzzer targets for the packet decoder, the capture-file readers and the
/// configuration parser.
///
///     flowtel-fuzz decoder|capture|config [libFuzzer flags] [corpus dirs or files]
///     FLOWTEL_FUZZ_TARGET=decoder|capture|config flowtel-fuzz ...
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` (`make fuzz-test`) it hands control to
/// libFuzzer. In an ordinary build it replays the files and directories it is given through
/// the target, so regressions can be checked without the fuzzing toolchain; flags are ignored.
@main
enum FlowtelFuzz {
    static func main() {
        guard let selection = FuzzSelection.current else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            printError("usage: flowtel-fuzz \(names) [options] [paths]  (or set \(FuzzTarget.environmentVariable)=\(names))")
            exit(2)
        }
        #if FUZZING
        runLibFuzzer(selection)
        #else
        replay(selection)
        #endif
    }

    /// Writes one line to standard error (Glibc's `stderr` is a mutable global Swift 6 rejects).
    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}

#if FUZZING
// libclang_rt.fuzzer's own main (linked whole-archive) references this symbol. It is never the
// entry point here, because SwiftPM points `main` at the `@main` type, but it must exist.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzSelection.current?.target.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

extension FlowtelFuzz {
    static func runLibFuzzer(_ selection: FuzzSelection) -> Never {
        var argc = CommandLine.argc
        let arguments = CommandLine.unsafeArgv
        if selection.isFirstArgument {
            // libFuzzer reads every argument that is not a flag as a corpus path: remove the
            // target name. argv[argc] is NULL, so the shift moves the terminator too.
            for index in 1..<Int(argc) { arguments[index] = arguments[index + 1] }
            argc -= 1
        }
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = arguments
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            // A C function pointer captures nothing: read the selection from its static.
            FuzzSelection.current?.target.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }
}
#else
extension FlowtelFuzz {
    /// Runs every file named, and every regular file directly inside every directory named
    /// (hidden files such as `.gitkeep` skipped), through the target. A trap is the failure.
    static func replay(_ selection: FuzzSelection) {
        let operands = CommandLine.arguments.dropFirst(selection.isFirstArgument ? 2 : 1).filter { !$0.hasPrefix("-") }
        var inputs = 0
        var decoded = 0
        for operand in operands {
            for path in inputFiles(at: operand) {
                let file: CaptureFile
                do {
                    file = try CaptureFile.open(path: path)
                } catch {
                    printError("flowtel-fuzz: \(path): \(error)")
                    exit(1)
                }
                let count = selection.target.run(file.bytes)
                print("\(path): \(file.bytes.count) bytes, \(count) packets decoded")
                inputs += 1
                decoded += count
            }
        }
        print("replayed \(inputs) inputs through \(selection.target.rawValue): \(decoded) packets decoded, no trap")
    }

    /// `path` itself, or the sorted regular files directly inside it when it is a directory.
    static func inputFiles(at path: String) -> [String] {
        guard let directory = opendir(path) else { return [path] }
        defer { closedir(directory) }
        var files: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            let child = path.hasSuffix("/") ? path + name : path + "/" + name
            var status = stat()
            guard stat(child, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
            files.append(child)
        }
        return files.sorted()
    }
}
#endif
