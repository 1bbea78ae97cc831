using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Discovery;

/// <summary><c>discover --watch</c> says what it is doing before any board appears (on stderr: stdout keeps only the events).</summary>
public class DiscoverWatchCliTests
{
    [Fact]
    public async Task Watch_says_it_is_watching_before_any_board_appears_and_ends_with_0_on_Ctrl_C()
    {
        using var dir = new TempDir();
        await using var watch = CommandProcess.Start(dir.Path, "discover", "--watch", "--interface", "lo", "--device", "Nobody-" + Guid.NewGuid().ToString("n")[..6]);

        string line = await watch.Notes.WaitForAsync(l => l.StartsWith("watching for "), "the watching line", timeout: TimeSpan.FromSeconds(20));
        Assert.Matches(@"^watching for 'Nobody-\w+' \(mDNS _arduino\._tcp\) on lo \(127\.0\.0\.1\): each one that appears or disappears is printed as it happens; Ctrl\+C to stop$", line);
        Assert.Empty(watch.Serial.Lines);

        await watch.SignalAsync("INT");
        Assert.Equal(0, await watch.WaitForExitAsync());
    }
}
