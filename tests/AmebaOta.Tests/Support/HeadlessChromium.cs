using Microsoft.Playwright;

namespace AmebaOta.Tests.Support;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>), headless, driven by Playwright for .NET (which cannot download a browser of
/// its own here), with a fresh profile and nothing that phones home. Inside a <see cref="PrivateNetwork"/> when given: the
/// browser then runs in that namespace (through <c>nsenter</c>) and reaches what runs there on its loopback.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] QuietArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-dev-shm-usage",
    ];

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private HeadlessChromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        Context = context;
        _profile = profile;
    }

    public IBrowserContext Context { get; }

    public static async Task<HeadlessChromium> LaunchAsync(string directory, PrivateNetwork? network = null, int width = 1440, int height = 900)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: the browser tests need Debian's chromium (apt-get install chromium)");
        string executable = ChromiumPath;
        if (network is not null)
        {
            executable = Path.Combine(directory, "chromium-in-namespace");
            await File.WriteAllTextAsync(executable, $"#!/bin/sh\nexec nsenter --net={network.NamespacePath} -- {ChromiumPath} \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string profile = Path.Combine(directory, $"chromium-profile-{Guid.NewGuid():n}");
        Directory.CreateDirectory(profile);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = QuietArgs,
                ViewportSize = new ViewportSize { Width = width, Height = height },
                Timeout = 60_000,
            });
            context.SetDefaultTimeout(30_000);
            return new HeadlessChromium(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
