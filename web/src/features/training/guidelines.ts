// What each parameter does, for the guidelines modal and the form's hints. Text only: the
// ranges the server enforces come back from it as validation messages.
export interface Guideline {
  name: string;
  label: string;
  what: string;
  good: string;
}

export const GUIDELINES: Guideline[] = [
  { name: "max_train_steps", label: "Max train steps", what: "How many optimizer steps the training runs. More steps learn the face more closely and take longer.", good: "About 100 per image, 1,000–6,000 for faces (auto-adjust does this)." },
  { name: "learning_rate", label: "Learning rate", what: "How far each step moves the weights. Too high burns the likeness in and loses flexibility; too low learns little.", good: "0.0003–0.0005 for face LoRAs; lower for small sets." },
  { name: "network_dim", label: "Network dim (rank)", what: "Capacity of the LoRA. Higher ranks hold more detail but also more noise and give bigger files.", good: "8–16 for an identity; 8 is the default." },
  { name: "network_alpha", label: "Network alpha", what: "Scales the LoRA update; alpha equal to dim keeps the learning rate's meaning.", good: "Equal to dim, never above it." },
  { name: "num_repeats", label: "Repeats per image", what: "How often each image is shown per epoch. Small sets need more repeats.", good: "15 below 10 images, 10–12 for 10–40, 8 above 40." },
  { name: "flip_aug", label: "Flip augmentation", what: "Mirrors images at random. Faces are not symmetric, so it blurs identity.", good: "Off for faces." },
  { name: "batch_size", label: "Batch size", what: "Images per step. Larger batches smooth the gradient and need more GPU memory.", good: "1 on a single A100/H100 for FLUX LoRAs." },
  { name: "lr_scheduler", label: "LR scheduler", what: "How the learning rate changes over the training.", good: "cosine, with a 10 % warm-up." },
  { name: "lr_warmup_steps", label: "Warm-up steps", what: "Steps at the start during which the learning rate ramps up.", good: "About 10 % of the steps." },
  { name: "optimizer_type", label: "Optimizer", what: "The update rule. 8-bit AdamW saves memory with no visible loss in quality.", good: "adamw8bit." },
  { name: "gradient_dtype", label: "Gradient precision", what: "Number format of the gradients.", good: "bf16 on A100/H100." },
  { name: "resolution", label: "Resolution", what: "Training image size in pixels (the short side is bucketed to it).", good: "1024 for FLUX; 512 trains faster with less detail." },
  { name: "class_tokens", label: "Trigger word", what: "The token the model learns to tie to this face; put it in prompts to call the actor.", good: "The actor's name (unique, not a real word)." },
];
