using System.Net;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>An <see cref="OtaReceiver"/> on an in-memory chip, listening on 127.0.0.1 at a free port, its serial lines collected.</summary>
public sealed class ReceiverHarness
{
    private ReceiverHarness(NorFlash flash) => Flash = flash;

    public NorFlash Flash { get; }
    public LineLog Lines { get; } = new();
    public Task<OtaReceiveResult> Result { get; private set; } = null!;
    public IPEndPoint Board { get; private set; } = null!;
    public OtaReceiverActivity Activity { get; } = new();

    /// <summary>Starts beginLocal and returns once it listens (or has already finished without listening).</summary>
    public static async Task<ReceiverHarness> StartAsync(NorFlash flash, TimeSpan? receiveTimeout = null, CancellationToken cancellationToken = default,
        LwipTimeWait? timeWait = null, int port = 0)
    {
        var harness = new ReceiverHarness(flash);
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new OtaReceiverOptions(IPAddress.Loopback, port)
        {
            TimeWait = timeWait,
            ReceiveTimeout = receiveTimeout ?? TimeSpan.FromSeconds(10),
            Listening = listening.SetResult,
            Activity = harness.Activity,
        };
        harness.Result = Task.Run(() => new OtaReceiver(flash, harness.Lines.Add).BeginLocalAsync(options, cancellationToken), cancellationToken);
        var first = await Task.WhenAny(listening.Task, harness.Result).WaitAsync(TimeSpan.FromSeconds(10));
        if (first == listening.Task) harness.Board = await listening.Task;
        return harness;
    }

    public async Task<OtaReceiveResult> FinishAsync() => await Result.WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>What the boot loader does with this chip now (recovery pin inactive).</summary>
    public BootResult Boot() => BootLoader.Boot(Flash, PinLevels.AllLow);

    /// <summary>Asserts the next boot still starts the old Default Image 2 at 0xB000, version 1, signed new.</summary>
    public void AssertOldImageStillBoots()
    {
        var boot = Boot();
        Assert.True(boot.Started, string.Join('\n', boot.Log));
        Assert.Equal(FlashLayout.DefaultImage2, boot.Booted!.Address);
        Assert.Equal(SignatureState.New, boot.Booted.Signature);
        Assert.Equal(1u, boot.Booted.Body.Sketch!.Version);
    }
}
