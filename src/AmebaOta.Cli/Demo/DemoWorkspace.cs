using System.Diagnostics;

namespace AmebaOta.Cli.Demo;

/// <summary>A tutorial's temporary directory, removed afterwards, and its closing line with the time it took.</summary>
public static class DemoWorkspace
{
    /// <summary>Runs <paramref name="steps"/> in a fresh temporary directory, then says <paramref name="done"/> (with the time) once they all passed.</summary>
    public static async Task RunAsync(DemoOutput output, Func<string, Task> steps, string done)
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
        output.Done($"demo finished in {clock.Elapsed.TotalSeconds:0.0} s: {done}");
    }
}
