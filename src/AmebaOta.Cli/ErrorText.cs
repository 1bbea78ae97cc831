using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AmebaOta.Cli;

/// <summary>
/// Turns an exception into the text after <c>error: </c>: our own messages as they are, the framework's rephrased so
/// the user sees what went wrong with which file or address, never a .NET type name or a message like "The operation
/// was canceled.".
/// </summary>
public static partial class ErrorText
{
    public static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "interrupted",
        UnauthorizedAccessException u => QuotedPath(u.Message) is { } p
            ? Directory.Exists(p) ? $"'{p}' is a directory, not a file" : $"'{p}': permission denied"
            : "permission denied",
        FileNotFoundException f when Framework(f.Message) => $"'{f.FileName ?? QuotedPath(f.Message)}' does not exist",
        DirectoryNotFoundException d when Framework(d.Message) && QuotedPath(d.Message) is { } p => $"'{p}': a directory on the way does not exist",
        IOException io when PathSuffix().Match(io.Message) is { Success: true } m => PathProblem(m.Groups["path"].Value, m.Groups["reason"].Value),
        SocketException s => Socket(s),
        _ => e.Message,
    };

    private static bool Framework(string message) => message.StartsWith("Could not find ", StringComparison.Ordinal);

    private static string PathProblem(string path, string reason) =>
        reason.Equals("Is a directory", StringComparison.OrdinalIgnoreCase) || Directory.Exists(path)
            ? $"'{path}' is a directory, not a file"
            : $"'{path}': {char.ToLowerInvariant(reason[0])}{reason[1..]}";

    private static string Socket(SocketException s) => s.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable => "that address is not one of this machine's",
        SocketError.AddressAlreadyInUse => "that address and port are already in use by another program",
        SocketError.AccessDenied => "permission denied (ports below 1024 need root)",
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "no such host",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to that address",
        SocketError.TimedOut => "timed out",
        _ => s.Message.TrimEnd('.').ToLowerInvariant(),
    };

    private static string? QuotedPath(string message) => QuotedPathPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPathPattern();

    /// <summary>.NET's Unix I/O messages: "No space left on device : '/path'".</summary>
    [GeneratedRegex(@"^(?<reason>[^:']+?)\s*:\s*'(?<path>[^']+)'\.?$")]
    private static partial Regex PathSuffix();
}
