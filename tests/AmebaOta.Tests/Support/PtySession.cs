using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AmebaOta.Tests.Support;

/// <summary>How a command run on a pseudo-terminal ended: everything the terminal showed, its exit code or signal, the step that failed.</summary>
public sealed record PtyResult(string Transcript, int? ExitCode, int? Signal, string? Failed)
{
    public override string ToString() => $"exit {ExitCode?.ToString() ?? "-"} signal {Signal?.ToString() ?? "-"} failed {Failed ?? "-"}\n--- terminal\n{Transcript}";
}

/// <summary>
/// The real CLI on a real pseudo-terminal (python3's pty module, Support/pty_session.py), for what only happens on a
/// terminal: Enter sending CR, echo, colours, SIGHUP when the terminal closes. Steps: <see cref="Expect"/>,
/// <see cref="Send"/>, <see cref="Hangup"/>, <see cref="Wait"/>.
/// </summary>
public static class PtySession
{
    private static readonly string Helper = Path.Combine(AppContext.BaseDirectory, "Support", "pty_session.py");

    public static JsonObject Expect(string regex) => new() { ["expect"] = regex };
    public static JsonObject Send(string text) => new() { ["send"] = text };
    public static JsonObject Hangup() => new() { ["hangup"] = true };
    public static JsonObject Wait() => new() { ["wait"] = true };

    /// <summary>Runs <c>ameba-ota ARGS</c> on a pty; stderr goes to <paramref name="stderrFile"/> (null: the terminal too). Colours are not disabled.</summary>
    public static async Task<PtyResult> RunCliAsync(string workingDirectory, JsonObject[] steps, string? stderrFile, params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Helper);
        psi.ArgumentList.Add(new JsonArray([.. steps]).ToJsonString());
        psi.ArgumentList.Add(stderrFile ?? "-");
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Cli.DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment.Remove("NO_COLOR");
        psi.Environment["TERM"] = "xterm";
        psi.Environment["COLUMNS"] = "200";
        using var python = Process.Start(psi)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await python.WaitForExitAsync(timeout.Token);
        string json = await stdout;
        Assert.True(python.ExitCode == 0 && json.Length > 0, $"pty_session.py failed (exit {python.ExitCode}): {await stderr}");
        var o = JsonNode.Parse(json)!.AsObject();
        return new PtyResult((string)o["transcript"]!, (int?)o["exitCode"], (int?)o["signal"], (string?)o["failed"]);
    }
}
