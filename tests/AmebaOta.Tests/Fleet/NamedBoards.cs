using System.Net;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Fleet;

/// <summary>Virtual boards running in this process on 127.0.0.1, each advertising <c>PREFIX-1</c>, <c>PREFIX-2</c> … by mDNS on lo.</summary>
public sealed class NamedBoards : IAsyncDisposable
{
    private readonly List<TempDir> _dirs = [];

    private NamedBoards(string prefix) => Prefix = prefix;

    public string Prefix { get; }
    public List<BoardHarness> Boards { get; } = [];
    public List<IPEndPoint> EndPoints { get; } = [];

    public string Name(int index) => $"{Prefix}-{index + 1}";

    /// <summary>Starts <paramref name="count"/> boards on version 1 and waits until each waits for a client.</summary>
    public static async Task<NamedBoards> StartAsync(int count, string? prefix = null)
    {
        var boards = new NamedBoards(prefix ?? "Fleet" + Guid.NewGuid().ToString("n")[..6]);
        for (int i = 0; i < count; i++)
        {
            var dir = new TempDir();
            boards._dirs.Add(dir);
            string name = boards.Name(i);
            boards.Boards.Add(new BoardHarness(dir, TestImages.Image(1), o => o with { AdvertiserFactory = () => new NamedAdvertiser(name) }));
        }
        // The sketch claims its mDNS name before it listens, so "Wait for client" means it is also announced.
        foreach (var b in boards.Boards) boards.EndPoints.Add(await b.WaitForClientAsync());
        return boards;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var b in Boards) await b.DisposeAsync();
        foreach (var d in _dirs) d.Dispose();
    }
}
