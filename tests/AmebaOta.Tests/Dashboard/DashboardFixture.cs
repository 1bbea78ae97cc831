using AmebaOta.Tests.Support;
using Microsoft.Playwright;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// One private network namespace (loopback only) holding a <c>device farm</c> of <see cref="BoardCount"/> boards (instant flash,
/// a control socket), a <c>dashboard</c> attached to it with a history database of its own, and a headless Chromium: the
/// browser tests share them, each test using boards of its own.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const int BoardCount = 16;

    public TempDir Dir { get; } = new();
    public PrivateNetwork Network { get; private set; } = null!;
    public FarmProcess Farm { get; private set; } = null!;
    public DashboardProcess Dashboard { get; private set; } = null!;
    public HeadlessChromium Browser { get; private set; } = null!;
    public string FarmSocket => Dir.File("farm.sock");

    /// <summary>What the pages printed on their console, and their script errors (shown when a test fails).</summary>
    public LineLog PageLog { get; } = new();

    /// <summary>Where screenshots go: <c>$AMEBAOTA_SCREENSHOTS</c>, else <c>screenshots/</c> beside the test assembly.</summary>
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("AMEBAOTA_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static string Board(int number) => $"MyAmeba-{number:000}";

    public async Task InitializeAsync()
    {
        Network = await PrivateNetwork.CreateAsync();
        File.WriteAllBytes(Dir.File("v1.bin"), TestImages.Image(1));
        Farm = FarmProcess.StartIn(Network, Dir.Path, "--count", BoardCount.ToString(), "--image", "v1.bin", "--flash-timing", "instant",
            "--interface", "lo", "--control", FarmSocket);
        await Farm.WaitForAllListeningAsync(BoardCount);
        Dashboard = await DashboardProcess.StartAsync(Network, Dir.Path, "--port", "8080", "--interface", "lo", "--attach", FarmSocket,
            "--db", Dir.File("history.db"));
        Browser = await HeadlessChromium.LaunchAsync(Dir.Path, Network);
    }

    /// <summary>
    /// A new tab on the dashboard's link (token included), once the live stream has said hello. Close it at the end of the test:
    /// a browser keeps at most 6 connections to one server, and each open tab holds one for its event stream.
    /// </summary>
    public async Task<IPage> OpenAsync(bool withToken = true)
    {
        var page = await Browser.Context.NewPageAsync();
        page.Console += (_, m) => PageLog.Add($"console {m.Type}: {m.Text}");
        page.PageError += (_, e) => PageLog.Add($"page error: {e}");
        await page.GotoAsync(withToken ? Dashboard.Link : Dashboard.Url);
        try
        {
            await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"{e.Message}\n--- page log\n{PageLog}\n--- dashboard\n{Dashboard.Serial}\n{Dashboard.Notes}", e);
        }
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Dashboard is not null) await Dashboard.DisposeAsync();
        if (Farm is not null) await Farm.DisposeAsync();
        Network?.Dispose();
        Dir.Dispose();
    }
}
