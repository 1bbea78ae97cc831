using System.Globalization;
using AmebaOta.Fleet.History;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Database;

/// <summary>
/// A site for real: a private network namespace of its own with a <c>device farm</c> and its <c>ameba-ota agent</c>s (sites'
/// mDNS cannot see each other: the agent is the only bridge). PostgreSQL is a throwaway cluster whose unix socket every
/// namespace reaches.
/// </summary>
public sealed class TestSite(string name, PrivateNetwork network, FarmProcess farm, string prefix, string controlSocket) : IAsyncDisposable
{
    public string Name => name;
    public PrivateNetwork Network => network;
    public FarmProcess Farm => farm;
    /// <summary>The boards' names are PREFIX-001 ….</summary>
    public string Prefix => prefix;
    /// <summary>The farm's control socket.</summary>
    public string ControlSocket => controlSocket;
    public List<CommandProcess> Agents { get; } = [];

    public string Board(int number) => $"{prefix}-{number:000}";

    /// <summary>How many times board <paramref name="board"/> said <c>OTA success</c>.</summary>
    public int OtaSuccesses(int board) => farm.Serial.Lines.Count(l => l == $"[{Board(board)}] OTA success");

    /// <summary>Starts a site of <paramref name="boards"/> boards running <paramref name="image"/> (no agent yet).</summary>
    public static async Task<TestSite> StartAsync(TempDir dir, string name, int boards, string image, string timing = "typical")
    {
        var network = await PrivateNetwork.CreateAsync(256 * 1024);
        string prefix = name.ToUpperInvariant() + Guid.NewGuid().ToString("n")[..4];
        string control = dir.File($"{name}.sock");
        var farm = FarmProcess.StartIn(network, dir.Path, "--count", boards.ToString(CultureInfo.InvariantCulture), "--image", image, "--dir", $"boards-{name}",
            "--base-ip", "127.0.0.2", "--name-prefix", prefix, "--interface", "lo", "--flash-timing", timing, "--control", control);
        await farm.WaitForAllListeningAsync(boards);
        return new TestSite(name, network, farm, prefix, control);
    }

    /// <summary>Starts an agent of this site and returns once it waits for work.</summary>
    public async Task<CommandProcess> StartAgentAsync(TempDir dir, string url, double lease = 3)
    {
        var agent = CommandProcess.StartIn(network, dir.Path, "agent", "--db", url, "--site", name, "--interface", "lo", "--lease", lease.ToString(CultureInfo.InvariantCulture));
        Agents.Add(agent);
        await agent.Notes.WaitForAsync(l => l.Contains("waiting for work"), "the agent's ready line", timeout: TimeSpan.FromSeconds(30));
        return agent;
    }

    /// <summary>Waits until the site's agents have recorded <paramref name="count"/> boards of the site.</summary>
    public async Task WaitForBoardsAsync(string url, int count)
    {
        using var store = HistoryStore.Open(url);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (store.Boards().Count(b => b.Site == name) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the agent of {name} recorded {store.Boards().Count(b => b.Site == name)} of {count} boards");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a control command to one of the farm's boards (<c>reset</c>, <c>status</c> …) and returns the reply.</summary>
    public async Task<string> ControlAsync(int board, string command)
    {
        using var control = await ControlClient.ConnectAsync(controlSocket);
        return await control.SendAsync($"{Board(board)} {command}");
    }

    /// <summary>Starts sites of <paramref name="boards"/> boards each, with one agent each, and waits until every board is recorded.</summary>
    public static async Task<List<TestSite>> StartManyAsync(TempDir dir, string url, string[] names, int boards, string image, string timing = "typical")
    {
        var sites = new List<TestSite>();
        try
        {
            foreach (var name in names) sites.Add(await StartAsync(dir, name, boards, image, timing));
            foreach (var site in sites) await site.StartAgentAsync(dir, url);
            foreach (var site in sites) await site.WaitForBoardsAsync(url, boards);
            return sites;
        }
        catch
        {
            foreach (var site in sites) await site.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var a in Agents) await a.DisposeAsync();
        await farm.DisposeAsync();
        network.Dispose();
    }
}
