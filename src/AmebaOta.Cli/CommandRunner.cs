using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Cli;

/// <summary>Runs a command's body and turns every expected failure into one line on stderr and an exit code: never a stack trace.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (Classify(e) is { } code)
        {
            Diagnostics.Error(ErrorText.Describe(e));
            return code;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("AMEBAOTA_DEBUG") is null or "" or "0")
        {
            // A bug of ours, not the user's: still one line, and how to get the details.
            Diagnostics.Error($"internal error: {e.Message} (a bug: please report it; AMEBAOTA_DEBUG=1 shows the details)");
            return ExitCodes.Internal;
        }
    }

    public static int Run(Func<int> body) => RunAsync(() => Task.FromResult(body())).GetAwaiter().GetResult();

    /// <summary>The exit code an exception ends a command with (<see cref="ExitCodes.Internal"/> for a bug).</summary>
    public static int ExitCodeOf(Exception e) => Classify(e) ?? ExitCodes.Internal;

    private static int? Classify(Exception e) => e switch
    {
        CliError cli => cli.ExitCode,
        ImageFormatException or FlashFormatException or FileNotFoundException or DirectoryNotFoundException => ExitCodes.BadInput,
        MdnsException => ExitCodes.IoError,
        Fleet.Sites.BoardBusyException => ExitCodes.Busy,
        Fleet.History.HistoryException => ExitCodes.IoError,
        OperationCanceledException => ExitCodes.Cancelled,
        UnauthorizedAccessException or IOException or System.Net.Sockets.SocketException => ExitCodes.IoError,
        _ => null,
    };
}
