namespace Coala.ML.Training;

/// <summary>The paper's learned variants.</summary>
public enum CoalaVariant
{
    /// <summary>AE-C: audio and tag autoencoders aligned by a contrastive loss on their heads.</summary>
    AeC,
    /// <summary>E-C: the two encoders and heads only, trained by the contrastive loss alone.</summary>
    EC,
    /// <summary>CNN: the audio encoder with a tag-prediction head, trained by BCE on the tags.</summary>
    Cnn,
}
