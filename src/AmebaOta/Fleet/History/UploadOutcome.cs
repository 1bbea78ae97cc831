namespace AmebaOta.Fleet.History;

/// <summary>How an upload ended, as the history records it.</summary>
public enum UploadOutcome
{
    /// <summary>The board took every byte (no reboot check was asked for).</summary>
    Sent,
    /// <summary>The board took every byte, rebooted and announced itself again: verified.</summary>
    Rebooted,
    /// <summary>The board took every byte but was not seen back after its reboot (look at its serial output).</summary>
    NotBack,
    /// <summary>The upload failed (cannot connect, dropped, stalled); the board keeps its old image.</summary>
    Failed,
    /// <summary>Interrupted by the user or an emergency stop before it ended.</summary>
    Cancelled,
    /// <summary>Its sender died mid-transfer (a site agent killed; its lease ran out): not the image's fault; the work is taken over.</summary>
    Interrupted,
}

/// <summary>The names the database and the JSON use.</summary>
public static class UploadOutcomeNames
{
    /// <summary><c>sent</c>, <c>rebooted</c>, <c>not-back</c>, <c>failed</c>, <c>cancelled</c>, <c>interrupted</c>.</summary>
    public static string Name(this UploadOutcome outcome) => outcome switch
    {
        UploadOutcome.Sent => "sent",
        UploadOutcome.Rebooted => "rebooted",
        UploadOutcome.NotBack => "not-back",
        UploadOutcome.Failed => "failed",
        UploadOutcome.Cancelled => "cancelled",
        UploadOutcome.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>The outcome named <paramref name="name"/>, or null (an upload that has not ended, or a name from a newer version).</summary>
    public static UploadOutcome? Parse(string? name) => name switch
    {
        "sent" => UploadOutcome.Sent,
        "rebooted" => UploadOutcome.Rebooted,
        "not-back" => UploadOutcome.NotBack,
        "failed" => UploadOutcome.Failed,
        "cancelled" => UploadOutcome.Cancelled,
        "interrupted" => UploadOutcome.Interrupted,
        _ => null,
    };
}
