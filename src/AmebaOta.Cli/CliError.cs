namespace AmebaOta.Cli;

/// <summary>An error to report to the user as one line, with the exit code to leave with.</summary>
public sealed class CliError(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
