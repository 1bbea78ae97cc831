using Spectre.Console;
using Spectre.Console.Rendering;

namespace AmebaOta.Cli.Output;

/// <summary>A Spectre live display redrawn ten times a second while a run goes on, left on screen at the end.</summary>
public static class LiveTable
{
    public static Task<T> RunAsync<T>(Func<IRenderable> render, Func<Task<T>> run) =>
        AnsiConsole.Live(render())
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Top)
            .StartAsync(async context =>
            {
                var task = run();
                while (!task.IsCompleted)
                {
                    await Task.WhenAny(task, Task.Delay(100));
                    context.UpdateTarget(render());
                }
                return await task;
            });
}
