using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Flash;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// The stock <c>ota_non_block</c> example (docs/reference section 8). <c>setup()</c> prints the version and starts a Wi-Fi service
/// thread; <c>loop()</c> waits a second and prints <c>Current system tick: &lt;millis&gt;</c>, forever. The Wi-Fi thread
/// checks <c>WiFi.status()</c> every second; when it is down it prints <c>WiFi is not connected. Try to connect to
/// &lt;ssid&gt;</c>, calls <c>WiFi.begin</c> until it succeeds (<c>Failed. Wait 1s and retry...</c> and a second's wait after
/// each failure), prints <c>Connected to &lt;ssid&gt;</c> and creates the OTA thread if it has not been created yet (once
/// per boot, however often the link comes back). The OTA thread applies the version-1 settings if the image does,
/// starts mDNS and calls <c>beginLocal</c> until it succeeds, printing <c>Retry OTA after 10s</c> and waiting after each
/// failure; success reboots the board. The threads share the serial port, so their lines interleave. All three threads
/// (the Arduino main thread included) run at realtime priority, so when the OTA thread busy-waits (an erase) or spins
/// after a FIN, <c>loop()</c> keeps ticking by time slicing while the network, of lower priority, starves.
/// </summary>
public sealed class NonBlockOtaSketch : ISketch
{
    public const string RetryOta = "Retry OTA after 10s";

    public static string TickLine(long millis) => $"Current system tick: {unchecked((int)millis)}";
    public static string NotConnectedLine(string ssid) => $"WiFi is not connected. Try to connect to {ssid}";

    /// <summary>How many OTA threads this sketch has created since boot (0 or 1).</summary>
    public int OtaThreadsCreated { get; private set; }

    public async Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken)
    {
        // setup(): printf("This is version %d\r\n\r\n", ...), then the Wi-Fi service thread.
        context.Serial(BasicOtaSketch.VersionLine(context.Sketch.Version));
        context.Serial("");

        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rebooting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? otaThread = null;
        var wifiThread = Task.Run(() => WifiServiceThreadAsync(context, StartOtaThread, running.Token), CancellationToken.None);

        // loop(): delay(1000); printf("Current system tick: %d\r\n", millis());
        try
        {
            while (true)
            {
                await Task.WhenAny(Task.Delay(context.Timing.Tick, running.Token), rebooting.Task, wifiThread).ConfigureAwait(false);
                if (rebooting.Task.IsCompleted || wifiThread.IsCompleted || running.IsCancellationRequested) break;
                context.Serial(TickLine(context.Millis));
            }
        }
        finally
        {
            await running.CancelAsync().ConfigureAwait(false);
            await Observe(wifiThread).ConfigureAwait(false);
            if (otaThread is not null) await Observe(otaThread).ConfigureAwait(false);
        }

        // A power cut (or anything unexpected) in either thread surfaces here, as on the board it would stop everything.
        if (otaThread is { IsFaulted: true }) otaThread.GetAwaiter().GetResult();
        if (wifiThread.IsFaulted) wifiThread.GetAwaiter().GetResult();
        cancellationToken.ThrowIfCancellationRequested();
        return SketchExit.Reboot;

        void StartOtaThread()
        {
            OtaThreadsCreated++;
            otaThread = Task.Run(async () =>
            {
                try
                {
                    await OtaThreadAsync(context, running.Token).ConfigureAwait(false);
                    rebooting.TrySetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    rebooting.TrySetResult();
                    throw;
                }
            }, CancellationToken.None);
        }
    }

    private static async Task WifiServiceThreadAsync(SketchContext context, Action createOtaThread, CancellationToken cancellationToken)
    {
        string ssid = context.Sketch.Ssid;
        bool otaThreadCreated = false;
        while (true)
        {
            if (!context.Wifi.IsConnected)
            {
                context.Serial(NotConnectedLine(ssid));
                while (!await context.Wifi.TryConnectAsync(ssid, cancellationToken).ConfigureAwait(false))
                {
                    context.Serial(BasicOtaSketch.WifiRetry);
                    await Task.Delay(context.Timing.WifiRetry, cancellationToken).ConfigureAwait(false);
                }
                context.Serial($"Connected to {ssid}");
                if (!otaThreadCreated)
                {
                    otaThreadCreated = true;
                    createOtaThread();
                }
            }
            await Task.Delay(context.Timing.WifiCheck, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task OtaThreadAsync(SketchContext context, CancellationToken cancellationToken)
    {
        var sketch = context.Sketch;
        if (sketch.AppliesVersion1Settings)
        {
            await context.SetOtaAddressAsync(FlashLayout.DefaultOtaAddress, cancellationToken).ConfigureAwait(false);
            await context.SetRecoverPinAsync(sketch.RecoveryPin, cancellationToken).ConfigureAwait(false);
        }
        await context.BeginArduinoMdnsServiceAsync(cancellationToken).ConfigureAwait(false);
        while (!(await context.BeginLocalAsync(cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            context.Serial(RetryOta);
            await Task.Delay(context.Timing.OtaRetry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task Observe(Task task)
    {
        try { await task.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        catch (Exception) { /* rethrown by the caller when it matters */ }
    }
}
