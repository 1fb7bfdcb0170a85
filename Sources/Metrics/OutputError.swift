import Foundation

/// An output file or folder that could not be written: what was being done, where, and why in words, instead of
/// Foundation's `Error Domain=NSCocoaErrorDomain Code=...` text.
public struct OutputError: Error, CustomStringConvertible, Equatable {
    /// `write`, `create the output directory`, ...
    public var action: String
    public var path: String
    public var reason: String

    public var description: String { "cannot \(action) \(path): \(reason)" }

    /// Runs `body`; a file-system error it throws becomes one that names `action` and `path`.
    static func during<T>(_ action: String, _ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OutputError {
            throw error
        } catch let error as RunOutputError {
            throw error
        } catch {
            throw OutputError(action: action, path: path, reason: reason(error, at: path))
        }
    }

    /// `reason(_:)`, or when Foundation gave no cause (`NSCocoaErrorDomain error 512`), what the path itself shows:
    /// its nearest existing folder is a file, or cannot be written.
    static func reason(_ error: Error, at path: String) -> String {
        let said = reason(error)
        guard said.contains("NSCocoaErrorDomain") else { return said }
        let manager = FileManager.default
        var ancestor = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        while !ancestor.isEmpty, ancestor != "/", !manager.fileExists(atPath: ancestor, isDirectory: &isFolder) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if manager.fileExists(atPath: ancestor, isDirectory: &isFolder), !isFolder.boolValue {
            return "\(ancestor) is a file, not a folder"
        }
        if !manager.isWritableFile(atPath: ancestor.isEmpty ? "." : ancestor) {
            return "permission denied in \(ancestor)"
        }
        return "the file system refused it (Foundation error \((error as NSError).code))"
    }

    /// The error in words: the POSIX cause when there is one (a full disk, no permission), else Foundation's.
    static func reason(_ error: Error) -> String {
        let error = error as NSError
        let posix = error.domain == NSPOSIXErrorDomain ? error
            : (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0 : nil }
        if let posix {
            let code = Int32(posix.code)
            switch code {
            case ENOSPC, EDQUOT: return "the disk is full (or over its quota)"
            case EACCES, EPERM: return "permission denied"
            case EROFS: return "the file system is read-only"
            case ENOENT: return "a folder on the path does not exist"
            case ENOTDIR: return "a part of the path is a file, not a folder"
            case EISDIR: return "it is a folder"
            default: return String(cString: strerror(code))
            }
        }
        if error.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: error.code) {
            case .fileWriteOutOfSpace: return "the disk is full (or over its quota)"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileNoSuchFile, .fileReadNoSuchFile: return "a folder on the path does not exist"
            case .fileWriteFileExists: return "a file is in the way (a part of the path is a file, not a folder)"
            case .fileWriteInvalidFileName: return "the name is not valid"
            default: break
            }
        }
        return error.localizedDescription
    }
}
