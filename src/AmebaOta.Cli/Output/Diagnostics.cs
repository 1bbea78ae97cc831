namespace AmebaOta.Cli.Output;

/// <summary>
/// The <c>error: …</c> and <c>warning: …</c> lines on stderr: red and yellow on a terminal, plain when stderr is
/// redirected, when <c>NO_COLOR</c> is set (https://no-color.org) or the terminal is <c>dumb</c>.
/// </summary>
public static class Diagnostics
{
    public static bool Coloured =>
        !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) &&
        Environment.GetEnvironmentVariable("TERM") != "dumb";

    public static void Error(string message) => Write("error", "1;31", message);

    public static void Warning(string message) => Write("warning", "1;33", message);

    private static void Write(string label, string style, string message)
    {
        message = Printable.Of(message);   // names from the network or a file: one line, and no terminal escapes of theirs
        Console.Out.Flush();
        Console.Error.WriteLine(Coloured ? $"\u001b[{style}m{label}: {message}\u001b[0m" : $"{label}: {message}");
    }
}
