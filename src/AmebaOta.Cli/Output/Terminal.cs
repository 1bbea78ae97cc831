using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>The Spectre console the commands draw on: real width on a terminal, wide enough not to wrap tables when redirected.</summary>
public static class Terminal
{
    public static bool IsInteractive => !Console.IsOutputRedirected;

    public static IAnsiConsole Stdout { get; } = Create();

    private static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }
}
