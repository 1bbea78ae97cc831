using System.Diagnostics;

namespace AmebaOta.Cli.Demo;

/// <summary>Where a tutorial keeps its files: a temporary folder, removed afterwards whatever happened.</summary>
public static class DemoWorkDirectory
{
    /// <summary>Runs <paramref name="steps"/> in a new temporary folder, removes it, and says how long it took with <paramref name="finished"/>.</summary>
    public static async Task RunAsync(DemoOutput output, Func<string, Task> steps, string finished)
    {
        var clock = Stopwatch.StartNew();
        string work = Directory.CreateTempSubdirectory("ameba-ota-demo-").FullName;
        try
        {
            await steps(work);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        output.Done($"demo finished in {clock.Elapsed.TotalSeconds:0.0} s: {finished}");
    }
}
