using System.Threading.Channels;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// <c>serve</c> on a terminal: the log scrolls, and under it a live table (<see cref="ServeTableView"/>) of the boards
/// downloading, redrawn four times a second. One task does all the drawing: log lines from any thread are queued and
/// written above the table in a batch before each redraw, so they never tear it. When stopped, the table gives way to
/// its summary line.
/// </summary>
public sealed class ServeLiveView : IAsyncDisposable
{
    /// <summary>How often the table is redrawn.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    private readonly IAnsiConsole _console;
    private readonly ServeProgressTable _model;
    private readonly Channel<IRenderable> _lines = Channel.CreateUnbounded<IRenderable>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ServeLiveView(IAnsiConsole console, ServeProgressTable model)
    {
        _console = console;
        _model = model;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>A log line, written above the table at the next redraw (dropped once the terminal is gone).</summary>
    public void WriteLine(string text, Style? style = null) => _lines.Writer.TryWrite(new Text(text, style ?? Style.Plain));

    private int MaxRows => Math.Max(3, _console.Profile.Height - 8);

    private async Task RunAsync()
    {
        try
        {
            await DrawAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The terminal went away (serve keeps serving after a hang-up): nothing more can be shown.
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private Task DrawAsync() =>
        _console.Live(new Text(""))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async context =>
            {
                while (true)
                {
                    bool stopping = _stop.IsCancellationRequested;
                    var batch = new List<IRenderable>();
                    while (_lines.Reader.TryRead(out var line)) batch.Add(line);
                    if (batch.Count > 0) _console.Write(new Rows(batch));
                    var view = _model.Sample();
                    if (stopping)
                    {
                        context.UpdateTarget(view.Finished.Count == 0 && view.Running == 0 ? new Text("") : new Text(ServeTableView.Summary(view)));
                        return;
                    }
                    context.UpdateTarget(ServeTableView.Render(view, MaxRows));
                    try
                    {
                        await Task.Delay(Refresh, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
