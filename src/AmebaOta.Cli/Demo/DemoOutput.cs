using AmebaOta.Cli.Output;
using Spectre.Console;

namespace AmebaOta.Cli.Demo;

/// <summary>
/// How the demo talks: numbered steps with a short explanation, then the host's actions (<c>host  │ …</c>) and the board's
/// serial output (<c>board │ …</c>) as they happen, interleaved in time. Colours on a terminal, plain text when redirected.
/// Safe to call from the board's threads.
/// </summary>
public sealed class DemoOutput
{
    private readonly Lock _gate = new();
    private readonly bool _styled = Terminal.IsInteractive;

    public void Step(int number, int total, string title, string explanation)
    {
        lock (_gate)
        {
            if (_styled)
            {
                Terminal.Stdout.WriteLine();
                Terminal.Stdout.MarkupLine($"[bold]{number}/{total}  {Markup.Escape(title)}[/]");
                Terminal.Stdout.MarkupLine($"[grey]      {Markup.Escape(explanation)}[/]");
            }
            else
            {
                Console.Out.WriteLine();
                Console.Out.WriteLine($"── {number}/{total}  {title}");
                Console.Out.WriteLine($"      {explanation}");
            }
        }
    }

    public void Host(string line) => Write("host ", "yellow", line);

    public void Board(string line) => Write("board", "cyan", line);

    public void Done(string line)
    {
        lock (_gate)
        {
            if (_styled)
            {
                Terminal.Stdout.WriteLine();
                Terminal.Stdout.MarkupLine($"[green bold]{Markup.Escape(line)}[/]");
            }
            else
            {
                Console.Out.WriteLine();
                Console.Out.WriteLine(line);
            }
        }
    }

    private void Write(string who, string colour, string line)
    {
        lock (_gate)
        {
            if (_styled) Terminal.Stdout.MarkupLine($"[{colour}]{who}[/] [grey]│[/] {Markup.Escape(line)}");
            else Console.Out.WriteLine(line.Length == 0 ? $"{who} │" : $"{who} │ {line}");
        }
    }
}
